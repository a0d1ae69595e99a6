package binmandesc

import "fmt"

// NoBinmanNodeError is Load's error for a device tree without a /binman
// node. InFile names the device tree file in the message, as binman's
// "Device tree 'u-boot.dtb' does not have a 'binman' node" does.
type NoBinmanNodeError struct{ file string }

func (e *NoBinmanNodeError) Error() string {
	if e.file == "" {
		return "Device tree does not have a 'binman' node"
	}
	return fmt.Sprintf("Device tree '%s' does not have a 'binman' node", e.file)
}

// InFile is the error naming the device tree file.
func (e *NoBinmanNodeError) InFile(name string) error { return &NoBinmanNodeError{file: name} }
