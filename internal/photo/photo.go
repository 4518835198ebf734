// Package photo checks and normalises evidence photos of ledger entries:
// the content type is sniffed from the bytes (never taken from the client),
// JPEG and PNG are accepted, HEIC (iPhone's default) is refused with advice,
// pixel dimensions are capped before decoding (decompression bombs), and the
// image is re-encoded as JPEG no larger than MaxSide pixels, which drops EXIF
// metadata such as the phone's GPS position.
package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // PNG decoder
	"net/http"

	"golang.org/x/image/draw"
)

// Limits.
const (
	MaxBytes  = 10 << 20 // one uploaded file, bytes
	MaxPixels = 25_000_000
	// MaxDecoded caps the memory one decoded image may take (pixels × bytes
	// per pixel of its colour model): a small 16-bit PNG can claim hundreds
	// of megabytes once decoded.
	MaxDecoded = 120 << 20
	MaxSide    = 1600 // longest side after normalising, pixels
)

// Errors returned by Normalize, in Chinese for the user.
var (
	ErrTooLarge = errors.New("照片超过10MB，请压缩后再上传")
	ErrHEIC     = errors.New("暂不支持HEIC格式照片：请在手机相机设置中选择“兼容性最佳”，或截图后上传")
	ErrType     = errors.New("只能上传JPEG或PNG格式的照片")
	ErrBroken   = errors.New("照片文件已损坏，无法打开")
	ErrHuge     = errors.New("照片像素过大")
)

// Photo is a normalised JPEG.
type Photo struct {
	Data          []byte
	Width, Height int
}

// isHEIC reports whether b starts an ISO-BMFF file of a HEIF brand.
func isHEIC(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	switch string(b[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif":
		return true
	}
	return false
}

// Normalize checks an uploaded file and returns it as a JPEG of at most
// MaxSide pixels on its longest side, or one of the errors above.
func Normalize(b []byte) (Photo, error) {
	if len(b) > MaxBytes {
		return Photo{}, ErrTooLarge
	}
	if isHEIC(b) {
		return Photo{}, ErrHEIC
	}
	switch http.DetectContentType(b) {
	case "image/jpeg", "image/png":
	default:
		return Photo{}, ErrType
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return Photo{}, ErrBroken
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels ||
		cfg.Width*cfg.Height*bytesPerPixel(cfg.ColorModel) > MaxDecoded {
		return Photo{}, ErrHuge
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return Photo{}, ErrBroken
	}
	w, h := cfg.Width, cfg.Height
	if w > MaxSide || h > MaxSide {
		if w >= h {
			w, h = MaxSide, max(1, h*MaxSide/cfg.Width)
		} else {
			w, h = max(1, w*MaxSide/cfg.Height), MaxSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 82}); err != nil {
		return Photo{}, err
	}
	return Photo{Data: out.Bytes(), Width: w, Height: h}, nil
}

// bytesPerPixel is what the standard decoders allocate per pixel for a
// colour model (a generous 4 for anything else).
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3
	}
	return 4
}
