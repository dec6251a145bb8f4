"""Reading and writing the files that schools and the team exchange with Tremplin (CSV, XLSX)."""
