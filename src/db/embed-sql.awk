# Turns the schema under sql/ into C arrays, so that the binary carries its
# schema and /ready can tell whether it is current:
#
#   migrations[]        sql/NNN_name.sql, the input files, in number order:
#                       tables, indexes, triggers and data, each applied once
#                       and recorded in schema_migrations;
#   functions_before[]  the sql/functions/NAME.sql files listed under
#   functions_after[]   "before migrations:" and "after migrations:" in
#                       sql/functions/ORDER, in its order. Every migrate
#                       runs them all (CREATE OR REPLACE): the "before" ones,
#                       then the pending migrations, then the "after" ones,
#                       in one transaction (src/db/migrate.c).
#
# The order is explicit: the list in sql/functions/ORDER, whose header says
# what goes before the migrations (what a migration needs while it runs on
# a fresh database: trigger functions, functions of generated columns) and
# why the "after" list is in dependency order.
#
#   awk -v order=sql/functions/ORDER -v functions="sql/functions/*.sql" \
#       -f src/db/embed-sql.awk sql/NNN_*.sql
#
# It fails (exit 1, nothing on stdout is to be used) when a function file is
# not listed, a listed name has no file or is listed twice, a file's
# CREATE OR REPLACE FUNCTION (or VIEW) names another object or is not its
# only one, or a migration defines a function or a view.

function fail(msg) {
	print "embed-sql.awk: " msg > "/dev/stderr"
	failed = 1
	exit 1
}

function c_string(line) {
	gsub(/\\/, "\\\\", line); gsub(/"/, "\\\"", line); gsub(/\t/, "\\t", line)
	return "\t\"" line "\\n\""
}

# The name that a line's CREATE [OR REPLACE] FUNCTION|VIEW defines, or "".
function defines(line,    u) {
	u = toupper(line)
	if (u !~ /^[ \t]*CREATE[ \t]+(OR[ \t]+REPLACE[ \t]+)?(FUNCTION|VIEW)([ \t]|$)/)
		return ""
	sub(/^[ \t]*[A-Za-z]+[ \t]+/, "", line)
	if (toupper(line) ~ /^OR[ \t]/) sub(/^[A-Za-z]+[ \t]+[A-Za-z]+[ \t]+/, "", line)
	sub(/^[A-Za-z]+[ \t]*/, "", line)
	sub(/[ \t(].*/, "", line)
	# The name on the next line: not this file's way; refused as unnamed.
	return line == "" ? "(unnamed)" : tolower(line)
}

function emit_functions(array, phase,    i, n, path, line, ok, count) {
	print "const struct sql_file " array "[] = {"
	n = 0
	for (i = 1; i <= nlisted; i++) {
		if (listed_phase[i] != phase)
			continue
		path = dir "/" listed[i] ".sql"
		printf "\t{ \"%s.sql\",\n", listed[i]
		count = 0
		while ((ok = (getline line < path)) > 0) {
			if (defines(line) != "") {
				if (defines(line) != listed[i])
					fail(path ": defines " defines(line) ", not " listed[i])
				if (toupper(line) !~ /^CREATE[ \t]+OR[ \t]+REPLACE[ \t]/)
					fail(path ": CREATE without OR REPLACE")
				count++
			}
			print c_string(line)
		}
		if (ok < 0)
			fail(path ": cannot read")
		close(path)
		if (count != 1)
			fail(path ": " count " definitions, not 1")
		print "\t},"
		n++
	}
	print "\t{ 0, 0 }"
	print "};"
	print "const int n" array " = " n ";"
}

BEGIN {
	if (order == "")
		fail("no -v order=FILE")
	dir = order; sub(/\/[^\/]*$/, "", dir)
	nfiles = split(functions, files, /[ \t\n]+/)
	for (i = 1; i <= nfiles; i++)
		if (files[i] != "")
			present[files[i]] = 1
	phase = ""
	while ((ok = (getline line < order)) > 0) {
		lineno++
		if (line ~ /^[ \t]*(#|$)/)
			continue
		if (line == "before migrations:" || line == "after migrations:") {
			phase = substr(line, 1, index(line, " ") - 1)
			continue
		}
		if (line !~ /^[a-z_][a-z0-9_]*$/ || phase == "")
			fail(order ":" lineno ": not a function name under a phase: " line)
		if (line in seen)
			fail(order ":" lineno ": " line " listed twice")
		if (!((dir "/" line ".sql") in present))
			fail(order ":" lineno ": no " dir "/" line ".sql")
		seen[line] = 1
		listed[++nlisted] = line
		listed_phase[nlisted] = phase
	}
	if (ok < 0)
		fail(order ": cannot read")
	close(order)
	for (f in present) {
		n = f; sub(/.*\//, "", n); sub(/\.sql$/, "", n)
		if (!(n in seen))
			fail(f ": not listed in " order)
	}
	print "/* Generated from sql/ by src/db/embed-sql.awk. Do not edit. */"
	print "#include \"migrations.h\""
	print "const struct migration migrations[] = {"
}
FNR == 1 {
	if (NR > 1) print "\t},"
	n = FILENAME; sub(/.*\//, "", n)
	v = n; sub(/_.*/, "", v)
	printf "\t{ %d, \"%s\",\n", v + 0, n
}
{
	if (defines($0) != "")
		fail(FILENAME ":" FNR ": " defines($0) ": functions and views go in " dir "/, not in a migration")
	print c_string($0)
}
END {
	if (failed)
		exit 1
	if (NR > 0) print "\t},"
	print "};"
	print "const int nmigrations = sizeof(migrations) / sizeof(migrations[0]);"
	emit_functions("functions_before", "before")
	emit_functions("functions_after", "after")
}
