// Differential test of the binlog decoder against mariadb-binlog on the sandbox MariaDB: a table
// with every MariaDB column type is written (FULL metadata, MINIMAL metadata, log_bin_compress),
// the closed binlog file is decoded with BinlogFileReader and printed by
// `mariadb-binlog --verbose --base64-output=DECODE-ROWS`, and every row image is compared value
// by value. Global settings are restored at the end, failure or not.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "binlog/decode_error.hpp"
#include "binlog/event_type.hpp"
#include "binlog/file_reader.hpp"

using namespace chameleon::binlog;

namespace {

std::string
env_or(const char *name, const char *fallback) {
	const char *value = std::getenv(name);
	return value && *value ? value : fallback;
}

std::string
run_command(const std::string &command, int *status) {
	FILE *pipe = popen(command.c_str(), "r");
	if (!pipe)
		throw std::runtime_error("popen failed: " + command);
	std::string output;
	char buffer[65536];
	size_t got;
	while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
		output.append(buffer, got);
	*status = pclose(pipe);
	return output;
}

// Runs SQL as root through the mariadb client (a new connection each time), in utf8mb4 (the
// client's default would turn emoji into '?'), UTC and sql_mode '' (zero dates). Returns the
// output rows, tab-separated.
std::vector<std::string>
sql(const std::string &statements) {
	char script[] = "/tmp/chameleon_differential_XXXXXX";
	int fd = mkstemp(script);
	if (fd < 0)
		throw std::runtime_error("mkstemp failed");
	std::string text = "SET time_zone = '+00:00', sql_mode = '';\n" + statements + ";\n";
	bool written = write(fd, text.data(), text.size()) == ssize_t(text.size());
	close(fd);
	int status = -1;
	std::string output;
	if (written)
		output = run_command("mariadb --defaults-file='" +
								 env_or("MY_ROOT_CNF", "/var/tmp/pg_chameleon_sandbox/mariadb.cnf") +
								 "' -uroot --default-character-set=utf8mb4 -N -B < " + script + " 2>&1",
							 &status);
	unlink(script);
	if (status != 0)
		throw std::runtime_error("SQL failed: " + statements + "\n" + output);
	std::vector<std::string> rows;
	size_t start = 0;
	while (start < output.size()) {
		size_t end = output.find('\n', start);
		if (end == std::string::npos)
			end = output.size();
		rows.push_back(output.substr(start, end - start));
		start = end + 1;
	}
	return rows;
}

std::vector<std::string>
split_tabs(const std::string &row) {
	std::vector<std::string> out;
	size_t start = 0;
	for (;;) {
		size_t tab = row.find('\t', start);
		out.push_back(row.substr(start, tab - start));
		if (tab == std::string::npos)
			return out;
		start = tab + 1;
	}
}

// Saves the global settings the test changes and puts them back when it ends, however it ends.
struct GlobalsGuard {
	std::string row_metadata, compress, compress_min_len, schema;
	explicit GlobalsGuard(std::string schema_name) : schema(std::move(schema_name)) {
		auto v = split_tabs(sql("SELECT @@global.binlog_row_metadata, @@global.log_bin_compress, "
								"@@global.log_bin_compress_min_len")
								.at(0));
		row_metadata = v.at(0);
		compress = v.at(1) == "1" ? "ON" : "OFF";
		compress_min_len = v.at(2);
	}
	~GlobalsGuard() {
		try {
			sql("SET GLOBAL binlog_row_metadata = " + row_metadata + ", log_bin_compress = " + compress +
				", log_bin_compress_min_len = " + compress_min_len + "; DROP DATABASE IF EXISTS " + schema);
		} catch (const std::exception &e) {
			std::fprintf(stderr, "could not restore the global settings: %s\n", e.what());
		}
	}
};

size_t
column_count(bool inet4) {
	return inet4 ? 61 : 60;
}

// The table with every MariaDB column type (INET4 exists from 10.10).
std::string
create_table(const std::string &table, bool inet4) {
	return "CREATE TABLE " + table +
		   " (id int PRIMARY KEY,"
		   " ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned,"
		   " mi mediumint, miu mediumint unsigned, i int, iu int unsigned, bi bigint, biu bigint unsigned,"
		   " d65 decimal(65,30), dn decimal(10,4), fl float, db double, b1 bit(1), b10 bit(10), b64 bit(64),"
		   " y year, dt date,"
		   " dt0 datetime, dt1 datetime(1), dt2 datetime(2), dt3 datetime(3), dt4 datetime(4), dt5 "
		   "datetime(5),"
		   " dt6 datetime(6),"
		   " ts0 timestamp NULL, ts1 timestamp(1) NULL, ts2 timestamp(2) NULL, ts3 timestamp(3) NULL,"
		   " ts4 timestamp(4) NULL, ts5 timestamp(5) NULL, ts6 timestamp(6) NULL,"
		   " tm0 time, tm1 time(1), tm2 time(2), tm3 time(3), tm4 time(4), tm5 time(5), tm6 time(6),"
		   " c char(10), vc varchar(300), bn binary(4), vb varbinary(20),"
		   " tt tinytext, tx text, mt mediumtext, lt longtext, tb tinyblob, bl blob, mb mediumblob, lb "
		   "longblob,"
		   " e enum('a','b','c'), st set('x','y','z'), j json, g geometry, p point, i6 inet6, u uuid" +
		   std::string(inet4 ? ", i4 inet4" : "") + ")";
}

// Rows at the limits of every type, one all NULL; then an update of several columns of row 1
// and the delete of row 2.
std::string
change_rows(const std::string &table, bool inet4) {
	std::string i4a = inet4 ? ", '192.168.0.1'" : "", i4b = inet4 ? ", '0.0.0.0'" : "";
	std::string nulls;
	for (size_t i = 1; i < column_count(inet4); i++)
		nulls += ", NULL";
	return "INSERT INTO " + table +
		   " VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,"
		   " -9223372036854775808, 18446744073709551615,"
		   " '-12345678901234567890123456789012345.123456789012345678901234567891', -123.4567, 3.14159,"
		   " -2.718281828459045, b'1', b'1010101010', "
		   "b'1111111111111111111111111111111111111111111111111111111111111111',"
		   " 2155, '0000-00-00',"
		   " '0000-00-00 00:00:00', '2024-01-02 03:04:05.1', '2024-01-02 03:04:05.12', '2024-01-02 "
		   "03:04:05.123',"
		   " '2024-01-02 03:04:05.1234', '2024-01-02 03:04:05.12345', '9999-12-31 23:59:59.999999',"
		   " '1970-01-01 00:00:01', '2038-01-19 03:14:07.1', '2024-01-02 03:04:05.12', '2024-01-02 "
		   "03:04:05.123',"
		   " '2024-01-02 03:04:05.1234', '2024-01-02 03:04:05.12345', '2024-01-02 03:04:05.123456',"
		   " '-838:59:59', '-00:00:01.5', '12:34:56.78', '-12:34:56.789', '838:59:58.9999', '00:00:00.00001',"
		   " '-838:59:58.999999',"
		   " 'ab''c\"\\\\ ', 'emoji \xF0\x9F\x98\x80 \xC3\xA9\t\n\x7F', X'00FF0A00', X'00FF5C0D0A2780',"
		   " 'tiny', 'text', 'medium \xE2\x98\x83', 'long', X'00', X'FF00', X'5C27', X'',"
		   " 'b', 'x,z', '{\"a\": [1, 2.5, \"x\\\\\"y\"], \"b\": null}',"
		   " ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), POINT(1.5, -2.25),"
		   " '2001:db8::ff00:42:8329', '123e4567-e89b-12d3-a456-426614174001'" +
		   i4a +
		   "),"
		   " (2" +
		   nulls +
		   "),"
		   " (3, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0,"
		   " '12345678901234567890123456789012345.123456789012345678901234567891', -0.0001, -1.5e-20, 1e300,"
		   " b'0', b'0', b'0', 1901, '1000-01-01',"
		   " '1000-01-01 00:00:00', '0000-00-00 00:00:00.0', '2024-01-02 03:04:05', '2024-01-02', "
		   "'2024-01-02',"
		   " '2024-01-02', '2024-01-02',"
		   " '0000-00-00 00:00:00', '0000-00-00 00:00:00', NULL, NULL, NULL, NULL, '1970-01-01 "
		   "00:00:01.000001',"
		   " '00:00:00', '00:00:00', '00:00:00', '00:00:00', '00:00:00', '00:00:00', '00:00:00',"
		   " '', '', X'41', '', '', '', '', '', '', '', '', '', '', '', '[]', NULL, NULL,"
		   " '2001:db8::', '00000000-0000-0000-0000-000000000000'" +
		   i4b +
		   "),"
		   " (4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, b'1', b'1', b'1', 0, '2024-02-29',"
		   " '2024-02-29 23:59:59', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
		   "NULL,"
		   " '-00:00:00', NULL, NULL, NULL, NULL, NULL, NULL, 'x', 'y', X'01', X'02', NULL, NULL, NULL, "
		   "NULL, NULL,"
		   " NULL, NULL, NULL, 'c', '', '{}', NULL, NULL, '::1', 'ffffffff-ffff-ffff-ffff-ffffffffffff'" +
		   i4b +
		   ");"
		   " UPDATE " +
		   table +
		   " SET ti = 1, vc = 'updated \xE2\x98\x83', d65 = 0, dt6 = '2000-02-29 12:00:00.5', e = NULL,"
		   " st = 'y', u = '00000000-0000-0000-0000-0000000000ff' WHERE id = 1;"
		   " DELETE FROM " +
		   table + " WHERE id = 2";
}

// mariadb-binlog writes string bytes above 0x1F as they are and the others as \xNN, between
// quotes, with no other escaping (quotes and backslashes inside stay raw): log_event_client.cc
// my_b_write_quoted. Our bytes are rendered the same way so that they compare as text.
std::string
quoted_like_mariadb_binlog(std::string_view bytes) {
	std::string out = "'";
	for (unsigned char c : bytes) {
		if (c > 0x1f) {
			out.push_back(static_cast<char>(c));
		} else {
			char hex[8];
			std::snprintf(hex, sizeof hex, "\\x%02x", c);
			out += hex;
		}
	}
	return out + "'";
}

size_t
integer_width(ColumnType type) {
	switch (type) {
	case ColumnType::tiny:
		return 1;
	case ColumnType::short_int:
		return 2;
	case ColumnType::int24:
		return 3;
	case ColumnType::long_int:
		return 4;
	default:
		return 8;
	}
}

// Our decoded value in mariadb-binlog's text, with only the normalisations its formatting needs.
std::string
as_mariadb_binlog(const Value &value, const Column &column) {
	char buf[64];
	switch (value.kind) {
	case ValueKind::null:
		return "NULL";
	case ValueKind::int64:
	case ValueKind::uint64: {
		// mariadb-binlog ignores SIGNEDNESS: it prints the stored bits as signed and, when that
		// is negative, the unsigned reading in parentheses ("-1 (255)").
		size_t bits = integer_width(column.real_type) * 8;
		uint64_t raw = value.kind == ValueKind::int64 ? static_cast<uint64_t>(value.i64) : value.u64;
		if (bits < 64)
			raw &= (uint64_t(1) << bits) - 1;
		int64_t as_signed = bits < 64 && (raw >> (bits - 1))
								? static_cast<int64_t>(raw - (uint64_t(1) << bits))
								: static_cast<int64_t>(raw);
		std::string text = std::to_string(as_signed);
		if (as_signed < 0)
			text += " (" + std::to_string(raw) + ")";
		return text;
	}
	case ValueKind::float32:
		// FLOAT as "%-20g": 6 significant digits, the padding is trimmed from the oracle.
		std::snprintf(buf, sizeof buf, "%g", static_cast<double>(value.f32));
		return buf;
	case ValueKind::float64:
		// DOUBLE as "%.20g".
		std::snprintf(buf, sizeof buf, "%.20g", value.f64);
		return buf;
	case ValueKind::date: {
		// DATE as 'YYYY:MM:DD', with colons (zero dates included).
		std::string text = to_text(value, column);
		for (char &c : text)
			if (c == '-')
				c = ':';
		return "'" + text + "'";
	}
	case ValueKind::datetime:
	case ValueKind::time:
		return "'" + to_text(value, column) + "'";
	case ValueKind::timestamp: {
		// TIMESTAMP as seconds since the epoch, then '.' and fsp digits when fsp > 0.
		std::string text = std::to_string(value.epoch_seconds);
		if (value.fsp) {
			std::snprintf(buf, sizeof buf, "%06u", value.temporal.microsecond);
			text += "." + std::string(buf, value.fsp);
		}
		return text;
	}
	case ValueKind::year:
		// YEAR as the number; mariadb-binlog adds 1900 to the stored byte without the server's
		// zero case, so the zero year 0000 (stored 0) prints as 1900.
		return std::to_string(value.i64 == 0 ? 1900 : value.i64);
	case ValueKind::enum_index:
		// ENUM as its 1-based index.
		return std::to_string(value.u64);
	case ValueKind::set_bits: {
		// SET as b'...' with 8 bits per stored byte.
		std::string bits;
		for (int i = column.length_bytes * 8 - 1; i >= 0; i--)
			bits.push_back((value.u64 >> i & 1) ? '1' : '0');
		return "b'" + bits + "'";
	}
	case ValueKind::bit:
		// BIT(n) as b'...' with n digits, which is our text.
		return "b'" + to_text(value, column) + "'";
	case ValueKind::string:
	case ValueKind::geometry:
		// Strings, blobs, JSON (a LONGTEXT in MariaDB), geometry (SRID + WKB) and INET6/UUID (the
		// binlog's bytes, which our logical rendering is checked against the server for) as quoted
		// bytes.
		return quoted_like_mariadb_binlog(value.bytes());
	default:
		return to_text(value, column);
	}
}

struct Image {
	std::string table;
	char kind = 0;					 // I insert, W update before, S update after, D delete
	std::vector<std::string> values; // in mariadb-binlog's text, by column
};

std::string
image_label(const Image &image) {
	return image.table + " " + image.kind;
}

// The `### ...` blocks of mariadb-binlog for the tables of `schema`.
std::vector<Image>
parse_oracle(const std::string &output, const std::string &schema) {
	std::vector<Image> images;
	std::string table;
	char statement = 0;
	bool keep = false;
	size_t start = 0;
	const std::string prefix = "`" + schema + "`.`";
	while (start < output.size()) {
		size_t end = output.find('\n', start);
		if (end == std::string::npos)
			end = output.size();
		std::string line = output.substr(start, end - start);
		start = end + 1;
		auto header = [&](const char *what, char kind) {
			std::string lead = std::string("### ") + what + " ";
			if (line.rfind(lead, 0) != 0)
				return false;
			std::string name = line.substr(lead.size());
			keep = name.rfind(prefix, 0) == 0;
			if (keep)
				table = name.substr(prefix.size(), name.size() - prefix.size() - 1);
			statement = kind;
			return true;
		};
		if (header("INSERT INTO", 'I') || header("UPDATE", 'U') || header("DELETE FROM", 'D') || !keep)
			continue;
		if (line == "### SET")
			images.push_back({table, statement == 'U' ? 'S' : 'I', {}});
		else if (line == "### WHERE")
			images.push_back({table, statement == 'U' ? 'W' : 'D', {}});
		else if (line.rfind("###   @", 0) == 0) {
			size_t eq = line.find('=');
			size_t column = std::stoul(line.substr(7, eq - 7));
			std::string value = line.substr(eq + 1);
			// FLOAT is printed "%-20g": trailing blanks. Strings cannot end with a raw blank
			// outside their closing quote, so trimming is safe for every type.
			while (!value.empty() && value.back() == ' ')
				value.pop_back();
			REQUIRE_FALSE(images.empty());
			REQUIRE(column == images.back().values.size() + 1);
			images.back().values.push_back(value);
		}
	}
	return images;
}

// What the decoder made of the file, rendered while each event's views are valid.
struct Decoded {
	std::vector<Image> images;
	std::map<std::string, std::vector<std::string>> logical_text; // "table id" -> i6, u text
	std::map<std::string, int> event_types;						  // by name, events of any table
	std::vector<std::string> statements;						  // QUERY statements on the schema
	std::vector<std::string> signedness_errors;
};

struct Catalog {
	std::map<std::string, std::vector<std::string>> data_types; // table -> DATA_TYPE by ordinal
	std::map<std::string, std::vector<bool>> is_unsigned;
};

Catalog
read_catalog(const std::string &schema) {
	Catalog catalog;
	for (const std::string &row :
		 sql("SELECT TABLE_NAME, DATA_TYPE, COLUMN_TYPE LIKE '%unsigned%' FROM information_schema.COLUMNS "
			 "WHERE TABLE_SCHEMA = '" +
			 schema + "' ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
		auto v = split_tabs(row);
		catalog.data_types[v.at(0)].push_back(v.at(1));
		catalog.is_unsigned[v.at(0)].push_back(v.at(2) == "1");
	}
	return catalog;
}

Decoded
decode(const std::string &path, const std::string &schema, const Catalog &catalog) {
	Decoded out;
	BinlogFileReader reader(path);
	// The reader's table-map hook: INET6/UUID from the catalog, and the signedness the binlog
	// lacks with binlog_row_metadata=MINIMAL.
	reader.decoder().set_table_map_hook([&](TableMap &map) {
		if (map.database != schema || !catalog.data_types.count(map.table))
			return;
		mark_logical_types(map, catalog.data_types.at(map.table));
		const std::vector<bool> &is_unsigned = catalog.is_unsigned.at(map.table);
		for (size_t i = 0; i < map.columns.size() && i < is_unsigned.size(); i++)
			if (!map.columns[i].signedness_known && map.columns[i].is_numeric())
				map.columns[i].is_unsigned = is_unsigned[i];
	});
	Event ev;
	while (reader.next(ev)) {
		out.event_types[event_type_name(ev.header.type)]++;
		if (auto *query = std::get_if<QueryEvent>(&ev.body)) {
			if (query->database == schema || query->statement.find(schema) != std::string_view::npos)
				out.statements.emplace_back(query->statement);
			continue;
		}
		auto *rows = std::get_if<RowsEvent>(&ev.body);
		if (!rows || !rows->table || rows->table->database != schema)
			continue;
		const TableMap &t = *rows->table;
		RowReader rr(*rows);
		std::vector<Value> before, after;
		while (rr.next(before, after)) {
			auto add = [&](const std::vector<Value> &row, char kind) {
				Image image{t.table, kind, {}};
				for (size_t i = 0; i < row.size(); i++) {
					const Column &c = t.columns[i];
					image.values.push_back(as_mariadb_binlog(row[i], c));
					bool integer = row[i].kind == ValueKind::int64 || row[i].kind == ValueKind::uint64;
					if (integer && (row[i].kind == ValueKind::uint64) != c.is_unsigned)
						out.signedness_errors.push_back(t.table + " @" + std::to_string(i + 1));
				}
				if (kind == 'I' || kind == 'S') {
					std::vector<std::string> &text =
						out.logical_text[t.table + " " + to_text(row[0], t.columns[0])];
					text.clear();
					for (size_t i = 0; i < row.size(); i++)
						if (t.columns[i].logical != LogicalType::none)
							text.push_back(row[i].is_null() ? "NULL" : to_text(row[i], t.columns[i]));
				}
				out.images.push_back(std::move(image));
			};
			if (rows->kind == RowsKind::write)
				add(after, 'I');
			else if (rows->kind == RowsKind::remove)
				add(before, 'D');
			else {
				add(before, 'W');
				add(after, 'S');
			}
		}
	}
	return out;
}

} // namespace

TEST_CASE("differential: every MariaDB type decodes as mariadb-binlog prints it", "[differential]") {
	std::string schema = "live_diff_" + std::to_string(getpid());
	GlobalsGuard guard(schema);
	bool inet4 =
		sql("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'inet4'").at(0) == "1";
	std::string datadir = sql("SELECT @@datadir").at(0);

	sql("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; FLUSH BINARY LOGS");
	std::string file = split_tabs(sql("SHOW MASTER STATUS").at(0)).at(0);

	// FULL metadata (the sandbox setting): names, signedness, enum/set labels.
	sql("SET GLOBAL binlog_row_metadata = FULL, log_bin_compress = OFF");
	sql("USE " + schema + "; " + create_table("t_full", inet4) + "; " + change_rows("t_full", inet4));
	// MINIMAL metadata, from a new connection: no names, no signedness (the hook supplies it).
	sql("SET GLOBAL binlog_row_metadata = MINIMAL");
	sql("USE " + schema + "; " + create_table("t_minimal", inet4) + "; " + change_rows("t_minimal", inet4));
	// MariaDB compressed QUERY and rows events (types 165-171), from a new connection.
	sql("SET GLOBAL binlog_row_metadata = FULL, log_bin_compress = ON, log_bin_compress_min_len = 10");
	sql("USE " + schema + "; " + create_table("t_compressed", inet4) + "; " +
		change_rows("t_compressed", inet4));
	sql("SET GLOBAL log_bin_compress = OFF; FLUSH BINARY LOGS");

	std::string path = datadir + (datadir.back() == '/' ? "" : "/") + file;
	INFO("binlog file " << path);
	Catalog catalog = read_catalog(schema);
	Decoded decoded;
	REQUIRE_NOTHROW(decoded = decode(path, schema, catalog));
	int status = -1;
	std::string oracle_output =
		run_command("mariadb-binlog --verbose --base64-output=DECODE-ROWS '" + path + "' 2>&1", &status);
	REQUIRE(status == 0);
	std::vector<Image> oracle = parse_oracle(oracle_output, schema);

	// Each table: 4 inserts, update before + after, 1 delete.
	REQUIRE(oracle.size() == 3 * 7);
	REQUIRE(decoded.images.size() == oracle.size());
	size_t compared = 0;
	for (size_t i = 0; i < oracle.size(); i++) {
		const Image &ours = decoded.images[i], &theirs = oracle[i];
		INFO("image " << i << " " << image_label(theirs));
		REQUIRE(image_label(ours) == image_label(theirs));
		REQUIRE(ours.values.size() == theirs.values.size());
		for (size_t c = 0; c < theirs.values.size(); c++) {
			INFO("@" << c + 1 << " of " << catalog.data_types[theirs.table].at(c));
			CHECK(ours.values[c] == theirs.values[c]);
			compared++;
		}
	}
	CHECK(compared == 3 * 7 * column_count(inet4));
	CHECK(decoded.signedness_errors.empty());

	// Compressed events were really written and decoded; their statements are the oracle's.
	CHECK(decoded.event_types["query_compressed"] >= 1);
	CHECK(decoded.event_types["write_rows_compressed_v1"] + decoded.event_types["write_rows_compressed"] >=
		  1);
	CHECK(decoded.event_types["update_rows_compressed_v1"] + decoded.event_types["update_rows_compressed"] >=
		  1);
	CHECK(decoded.event_types["delete_rows_compressed_v1"] + decoded.event_types["delete_rows_compressed"] >=
		  1);
	size_t create_statements = 0;
	for (const std::string &statement : decoded.statements) {
		INFO(statement);
		CHECK(oracle_output.find(statement) != std::string::npos);
		create_statements += statement.rfind("CREATE TABLE t_", 0) == 0;
	}
	CHECK(create_statements == 3);

	// INET6 and UUID: the marked columns render as the server's canonical text.
	for (const char *table : {"t_full", "t_minimal", "t_compressed"}) {
		for (const std::string &row : sql("SELECT id, IFNULL(i6, 'NULL'), IFNULL(u, 'NULL') FROM " + schema +
										  "." + table + " ORDER BY id")) {
			auto v = split_tabs(row);
			INFO(table << " id " << v.at(0));
			CHECK(decoded.logical_text[std::string(table) + " " + v.at(0)] ==
				  std::vector<std::string>{v.at(1), v.at(2)});
		}
	}
}
