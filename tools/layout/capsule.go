package layout

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/eficapsule"
)

// CapsuleSpec is binman's efi-capsule / efi-empty-capsule entry: a UEFI
// capsule of the children's data (tools/eficapsule).
type CapsuleSpec struct {
	// Kind is "fmp" (efi-capsule), "accept" or "revert".
	Kind string `json:"kind"`
	// ImageGUID is the firmware image type GUID (EFI byte order).
	ImageGUID Hex `json:"image_guid,omitempty"`
	Index     Num `json:"index,omitempty"`
	Instance  Num `json:"instance,omitempty"`
	OEMFlags  Num `json:"oem_flags,omitempty"`
}

func registerCapsule() {
	entryTypes["efi-capsule"] = newCapsule
	entryTypes["efi-empty-capsule"] = newCapsule
}

func newCapsule(n *Node, path string) (Entry, error) {
	spec := n.Capsule
	if spec == nil {
		return nil, fmt.Errorf("Node '%s': capsule entry has no capsule description", path)
	}
	var guid eficapsule.GUID
	if len(spec.ImageGUID) != 0 && len(spec.ImageGUID) != len(guid) {
		return nil, fmt.Errorf("Node '%s': image GUID is %d bytes, expected 16", path, len(spec.ImageGUID))
	}
	copy(guid[:], spec.ImageGUID)
	switch {
	case spec.Kind != "fmp" && spec.Kind != "accept" && spec.Kind != "revert":
		return nil, fmt.Errorf("Node '%s': capsule kind '%s' is not fmp, accept or revert", path, spec.Kind)
	case spec.Index > 0xff:
		return nil, fmt.Errorf("Node '%s': image index %d does not fit a byte", path, spec.Index)
	case spec.OEMFlags > 0xffff:
		return nil, fmt.Errorf("Node '%s': oem-flags %#x is more than 0xffff", path, uint64(spec.OEMFlags))
	}
	fmp := eficapsule.FMP{ImageType: guid, Index: uint8(spec.Index), Instance: uint64(spec.Instance), OEMFlags: uint16(spec.OEMFlags)}
	kind := spec.Kind
	s := &Section{}
	s.gen = func(s *Section, final bool) (content, error) {
		if kind != "fmp" {
			return bytesContent(eficapsule.Empty(kind == "accept", guid)), nil
		}
		// binman hands mkeficapsule its children's data one after another.
		var payload []byte
		for _, e := range s.entries {
			c := e.b().contents
			if sec, ok := e.(*Section); ok && final {
				var err error
				if c, err = sec.buildContents(true); err != nil {
					return content{}, err
				}
			}
			raw, err := c.render()
			if err != nil {
				return content{}, err
			}
			payload = append(payload, raw...)
		}
		out, err := fmp.Build(payload)
		if err != nil {
			return content{}, s.errorf("%v", err)
		}
		return bytesContent(out), nil
	}
	return s, nil
}
