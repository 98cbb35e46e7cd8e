// Live check of TABLE_MAP charset metadata: with binlog_row_metadata=FULL the server lists the
// character columns' charsets, counting GEOMETRY columns among them; a table mixing spatial
// columns and columns of several charsets must decode with each column's own charset.
#include <catch2/catch.hpp>

#include "binlog/file_reader.hpp"
#include "live_env.hpp"

#include <unistd.h>

TEST_CASE("charset metadata counts geometry columns among the character columns", "[charset]") {
	std::string schema = "live_charset_" + std::to_string(getpid());
	std::string datadir = live::root("SELECT @@datadir").at(0);
	live::root("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; FLUSH BINARY LOGS");
	std::string status = live::root("SHOW MASTER STATUS").at(0);
	std::string file = status.substr(0, status.find('\t'));
	live::root(
		"CREATE TABLE " + schema +
		".t (id int PRIMARY KEY, g geometry, p point, l linestring, a varchar(5) CHARACTER SET latin1, "
		"b varchar(5) CHARACTER SET utf8mb4, c varchar(5) CHARACTER SET ascii); "
		"INSERT INTO " +
		schema +
		".t VALUES (1, POINT(1, 2), POINT(3, 4), NULL, 'é', 'ü', 'x'); "
		"FLUSH BINARY LOGS");

	chameleon::binlog::BinlogFileReader reader(datadir + (datadir.back() == '/' ? "" : "/") + file);
	chameleon::binlog::Event event;
	std::shared_ptr<const chameleon::binlog::TableMap> table;
	int rows = 0;
	while (reader.next(event)) {
		if (auto *map = std::get_if<chameleon::binlog::TableMapEvent>(&event.body))
			if (map->table->database == schema)
				table = map->table;
		if (auto *rows_event = std::get_if<chameleon::binlog::RowsEvent>(&event.body))
			if (rows_event->table->database == schema)
				rows++;
	}
	live::root("DROP DATABASE " + schema);
	REQUIRE(table);
	REQUIRE(rows == 1);
	REQUIRE(table->columns.size() == 7);
	CHECK(table->columns[4].charset == 8);	// latin1_swedish_ci
	CHECK(table->columns[5].charset != 8);	// a utf8mb4 collation
	CHECK(table->columns[6].charset == 11); // ascii_general_ci
}
