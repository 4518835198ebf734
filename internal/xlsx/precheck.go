package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxCellChars is Excel's own limit on the text of one cell, in characters:
// no workbook that Excel or WPS wrote has a longer one.
const MaxCellChars = 32767

// Bounds of precheck on the parts of an upload that excelize holds in memory.
const (
	// maxInMemoryParts bounds the unpacked size of the parts other than the
	// worksheets and the shared strings (styles, workbook, theme, pictures):
	// excelize reads each of them whole.
	maxInMemoryParts = 32 << 20
	// sharedStringsPerRow bounds the number of distinct texts of the shared
	// strings table to this many per allowed row: a roster has a name, an
	// ID number, a phone and a remark or so per row, the other columns
	// repeat the same few words.
	sharedStringsPerRow = 8
	// minSharedStrings is the bound for small row limits (a template's
	// lists, headings and instructions are shared strings too).
	minSharedStrings = 1 << 16
	// unzipXMLLimit is the size above which excelize unpacks a worksheet or
	// the shared strings to a temporary file and reads it from there, row
	// by row and string by string, instead of holding it in memory.
	unzipXMLLimit = 1 << 20
	// maxTagBytes bounds one XML tag (a start tag with its attributes).
	maxTagBytes = 64 << 10
)

// precheck reads the upload's zip directory and streams its first sheet and
// its shared strings table before excelize opens it, so that a small file
// that would unpack into a large memory load is refused at the first sign:
// unpacked parts over lim.MaxUnzippedBytes, in-memory parts over
// maxInMemoryParts, more shared strings than sharedStringsPerRow a row, or
// one cell of more than MaxCellChars characters (named by row and column
// heading of cols). Memory is bounded by the buffers of the scan, whatever
// the file holds. err is a *FileError with a Chinese message.
func precheck(r io.ReaderAt, size int64, lim Limits, cols []string) (merges []string, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &FileError{Message: notXLSX, Err: err}
	}
	var unzipped, inMemory uint64
	var sst *zip.File
	for _, zf := range zr.File {
		unzipped += zf.UncompressedSize64
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		switch {
		case name == "xl/sharedstrings.xml":
			sst = zf
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
		default:
			inMemory += zf.UncompressedSize64
		}
	}
	if unzipped > uint64(lim.MaxUnzippedBytes) {
		return nil, &FileError{Message: tooBigUnzipped(lim)}
	}
	if inMemory > maxInMemoryParts {
		return nil, &FileError{Message: fmt.Sprintf("文件中除工作表外的内容（样式、图片等）解压后超过 %s，不予导入；请只保留花名册数据，另存为新的 .xlsx 文件后重新上传", mib(maxInMemoryParts))}
	}
	long := -1 // index of a shared string over MaxCellChars
	if sst != nil {
		if long, err = scanSharedStrings(sst, max(lim.MaxRows*sharedStringsPerRow, minSharedStrings)); err != nil {
			return nil, err
		}
	}
	sheetPath, err := firstSheetPath(zr)
	if err != nil {
		return nil, &FileError{Message: notXLSX, Err: err}
	}
	for _, zf := range zr.File {
		if strings.EqualFold(zf.Name, sheetPath) {
			if merges, err = scanSheetCells(zf, long, cols); err != nil {
				return nil, err
			}
		}
	}
	if long >= 0 {
		// Not in the first sheet, but excelize would still unpack it.
		return nil, &FileError{Message: fmt.Sprintf("文件中有超过 %d 个字符的单元格内容（Excel 单元格的上限），不予导入；请删除其他工作表中过长的内容后重新上传", MaxCellChars)}
	}
	return merges, nil
}

const notXLSX = "无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件（可在 Excel 中“另存为”.xlsx）"

func tooBigUnzipped(lim Limits) string {
	return fmt.Sprintf("文件解压后超过 %s，不予导入；请只保留花名册数据后重新上传", mib(lim.MaxUnzippedBytes))
}

// scanSharedStrings streams the shared strings table and returns the index
// of the first string longer than MaxCellChars (-1: none); it stops there.
// More than maxItems strings is a *FileError.
func scanSharedStrings(zf *zip.File, maxItems int) (int, error) {
	rc, err := zf.Open()
	if err != nil {
		return -1, &FileError{Message: notXLSX, Err: err}
	}
	defer rc.Close()
	items, chars, inT := 0, 0, false
	long := -1
	errStop := errors.New("stop")
	err = scanXML(rc, func(name string, closing bool, _ []byte) error {
		switch {
		case name == "si" && !closing:
			items++
			chars = 0
			if items > maxItems {
				return &FileError{Message: fmt.Sprintf("文件中不同的文字内容超过 %d 项，不像是花名册，不予导入；请只保留花名册数据后重新上传", maxItems)}
			}
		case name == "t":
			inT = !closing
		}
		return nil
	}, func(n int, _ []byte) error {
		if !inT {
			return nil
		}
		if chars += n; chars > MaxCellChars {
			long = items - 1
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		if _, ok := IsFileError(err); ok {
			return -1, err
		}
		return -1, &FileError{Message: "工作表无法读取", Err: err}
	}
	return long, nil
}

// scanSheetCells streams a worksheet and refuses the first cell whose text
// is longer than MaxCellChars, or that refers to shared string long.
// maxMerges bounds the merged ranges of a sheet that the reader fills in.
const maxMerges = 100000

// scanSheetCells streams the sheet zf, refusing an overlong cell (or the
// shared string long), and returns the refs of its merged ranges ("E5:E7").
func scanSheetCells(zf *zip.File, long int, cols []string) ([]string, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, &FileError{Message: notXLSX, Err: err}
	}
	var merges []string
	defer rc.Close()
	var (
		ref, typ  string
		row       int
		inCell    bool
		inV       bool
		chars     int
		v         []byte
		refuseAt  = func() error { return &FileError{Message: overlongCell(ref, row, cols)} }
		maxVBytes = 24
	)
	err = scanXML(rc, func(name string, closing bool, tag []byte) error {
		switch name {
		case "mergeCell":
			if !closing {
				if len(merges) >= maxMerges {
					return &FileError{Message: fmt.Sprintf("工作表中合并的单元格超过 %d 处，不予导入；请取消合并后重新上传", maxMerges)}
				}
				merges = append(merges, attr(tag, "ref"))
			}
		case "row":
			if !closing {
				if n, err := strconv.Atoi(attr(tag, "r")); err == nil {
					row = n
				}
			}
		case "c":
			inCell, chars, v = !closing && !bytes.HasSuffix(tag, []byte("/")), 0, v[:0]
			if !closing {
				ref, typ = attr(tag, "r"), attr(tag, "t")
			}
		case "v":
			inV = !closing && inCell
			if closing && typ == "s" && long >= 0 {
				if i, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil && i == long {
					return refuseAt()
				}
			}
		}
		return nil
	}, func(n int, text []byte) error {
		if !inCell {
			return nil
		}
		if chars += n; chars > MaxCellChars {
			return refuseAt()
		}
		if inV && len(v) < maxVBytes {
			v = append(v, text[:min(len(text), maxVBytes-len(v))]...)
		}
		return nil
	})
	if err != nil {
		if _, ok := IsFileError(err); ok {
			return nil, err
		}
		return nil, &FileError{Message: "工作表无法读取", Err: err}
	}
	return merges, nil
}

// overlongCell is the message for a cell over MaxCellChars at ref (or, when
// the cell has no reference, in row).
func overlongCell(ref string, row int, cols []string) string {
	where := fmt.Sprintf("第%d行", row)
	if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
		where = fmt.Sprintf("第%d行", r)
		if c-1 < len(cols) {
			where += "【" + cols[c-1] + "】"
		}
		where += "（单元格" + ref + "）"
	}
	return fmt.Sprintf("%s的内容超过 %d 个字符（Excel 单元格的上限），不予导入；请缩短该单元格的内容后重新上传", where, MaxCellChars)
}

// scanXML streams XML from r with bounded memory: tag gets each tag's local
// name, whether it is a closing tag and its raw text (without < and >; a
// tag longer than maxTagBytes is an error), and text gets the character
// data between tags in chunks, with the number of characters in each (an
// entity such as &amp; is one character). Comments, processing
// instructions and declarations go to tag with their first word as name.
// An error returned by tag or text stops the scan and is returned.
func scanXML(r io.Reader, tag func(name string, closing bool, raw []byte) error, text func(chars int, chunk []byte) error) error {
	br := bufio.NewReaderSize(r, maxTagBytes)
	inEntity := false
	for {
		chunk, err := br.ReadSlice('<')
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		if len(body) > 0 {
			n := 0
			for _, b := range body {
				switch {
				case inEntity:
					inEntity = b != ';'
				case b == '&':
					n++
					inEntity = true
				case b&0xC0 != 0x80:
					n++
				}
			}
			if terr := text(n, body); terr != nil {
				return terr
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		inEntity = false
		raw, err := br.ReadSlice('>')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return fmt.Errorf("xml tag longer than %d bytes", maxTagBytes)
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		raw = raw[:len(raw)-1]
		closing := len(raw) > 0 && raw[0] == '/'
		name := raw
		if closing {
			name = name[1:]
		}
		if i := bytes.IndexAny(name, " \t\r\n/"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if terr := tag(string(name), closing, raw); terr != nil {
			return terr
		}
	}
}
