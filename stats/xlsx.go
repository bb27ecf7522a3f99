package stats

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// XLSX is the report as a workbook: sheet "figures" holds the rows as the CSV does, with
// numbers as numbers; sheet "intake" the days as a table a clerk can chart.
func (r *Report) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "figures"); err != nil {
		return nil, err
	}
	for i, row := range r.Rows() {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var val any = v
			if j == 3 && i > 0 {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					val = n
				}
			}
			if err := f.SetCellValue("figures", cell, val); err != nil {
				return nil, err
			}
		}
	}
	if _, err := f.NewSheet("intake"); err != nil {
		return nil, err
	}
	_ = f.SetSheetRow("intake", "A1", &[]any{"date", "counter", "mail", "pages"})
	for i, d := range r.Intake {
		if err := f.SetSheetRow("intake", fmt.Sprintf("A%d", i+2), &[]any{d.Date, d.Counter, d.Mail, d.Pages}); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
