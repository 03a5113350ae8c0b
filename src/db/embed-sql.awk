# Turns sql/NNN_name.sql files into a C array of migrations, so that the
# binary carries its schema and /ready can tell whether it is current.
BEGIN { print "/* Generated from sql/ by src/db/embed-sql.awk. Do not edit. */"
        print "#include \"migrations.h\""
        print "const struct migration migrations[] = {" }
FNR == 1 {
	if (NR > 1) print "\t},"
	n = FILENAME; sub(/.*\//, "", n)
	v = n; sub(/_.*/, "", v)
	printf "\t{ %d, \"%s\",\n", v + 0, n
}
{
	gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t")
	print "\t\"" $0 "\\n\""
}
END { if (NR > 0) print "\t},"
      print "};"
      print "const int nmigrations = sizeof(migrations) / sizeof(migrations[0]);" }
