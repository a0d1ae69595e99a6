package genimage

import (
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/androidsparse"
	"github.com/rules-firmware/rules_firmware/tools/disk"
)

// buildAndroidSparse writes the Android sparse image of another image.
// As in genimage, the input's holes become don't-care chunks unless
// fill-holes is true; the holes of images this config builds are the ones
// their writers leave (an hdimage's gaps), so the output depends only on
// the config and its inputs wherever the filesystem reports holes
// (fill-holes = true makes it independent of that too).
func buildAndroidSparse(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img); err != nil {
		return err
	}
	opts, err := typeOptions(img, "image", "block-size", "fill-holes", "add-crc")
	if err != nil {
		return err
	}
	if o, ok := opts["extraargs"]; ok {
		return fmt.Errorf("line %d: android-sparse option 'extraargs' is not supported", o.Line)
	}
	src, ok := opts["image"]
	if !ok || src.Value() == "" {
		return fmt.Errorf("android-sparse option 'image' is missing (the image to convert)")
	}
	so := androidsparse.Options{BlockSize: 4096}
	if o, ok := opts["block-size"]; ok {
		v, err := disk.ParseSize(o.Value())
		if err == nil {
			err = androidsparse.CheckBlockSize(uint64(v))
		}
		if err != nil {
			return fmt.Errorf("line %d: block-size: %v", o.Line, err)
		}
		so.BlockSize = uint32(v)
	}
	fill := false
	for key, dst := range map[string]*bool{"fill-holes": &fill, "add-crc": &so.CRC} {
		if o, ok := opts[key]; ok {
			if *dst, err = o.Bool(); err != nil {
				return fmt.Errorf("line %d: %s: %v", o.Line, key, err)
			}
		}
	}
	in, err := os.Open(b.input(src.Value()))
	if err != nil {
		return fmt.Errorf("line %d: image: %v", src.Line, err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("line %d: image %s is not a regular file", src.Line, in.Name())
	}
	var ranges []androidsparse.Range
	if fill {
		ranges = []androidsparse.Range{{Start: 0, End: st.Size()}}
	} else if err := disk.DataRanges(in, st.Size(), func(s, e int64) error {
		ranges = append(ranges, androidsparse.Range{Start: s, End: e})
		return nil
	}); err != nil {
		return fmt.Errorf("line %d: image %s: %v", src.Line, in.Name(), err)
	}
	return writeFile(out, func(f *os.File) error { return androidsparse.Write(f, in, st.Size(), ranges, so) })
}
