package compress

import "testing"

func TestTablesComputed(t *testing.T) {
	if lzmaProbPrices != makeLZMAProbPrices() {
		t.Error("lzmaProbPrices differs from makeLZMAProbPrices()")
	}
	if bt4CRC != makeBt4CRC() {
		t.Error("bt4CRC differs from makeBt4CRC()")
	}
	if bzCRCTable != makeBzCRCTable() {
		t.Error("bzCRCTable differs from makeBzCRCTable()")
	}
}
