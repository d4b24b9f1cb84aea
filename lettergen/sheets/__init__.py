"""Reading the sheets clerks keep: the recipients sheet and the tracking sheet, CSV or XLSX,
as the clerk sees them (tables.py opens the file, xlsx.py streams a workbook, cells.py shows a
cell as Excel does, columns.py finds the header and the columns, recipients.py makes the rows)."""
