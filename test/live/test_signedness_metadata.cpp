// Live check of TABLE_MAP signedness metadata: with binlog_row_metadata=FULL every numeric column
// carries its signedness; columns of other types between them (YEAR, BIT, ENUM, VARCHAR) must not
// shift the bits. (MariaDB 10.11 writes the bits shifted for tables with generated columns, as
// mariadb-binlog --print-table-metadata shows too: the replay takes signedness from the table's
// layout, not from the binlog.)
#include <catch2/catch.hpp>

#include "binlog/file_reader.hpp"
#include "live_env.hpp"

#include <unistd.h>

TEST_CASE("signedness metadata matches information_schema", "[signedness]") {
	std::string schema = "live_sign_" + std::to_string(getpid());
	std::string datadir = live::root("SELECT @@datadir").at(0);
	live::root("DROP DATABASE IF EXISTS " + schema + "; CREATE DATABASE " + schema + "; FLUSH BINARY LOGS");
	std::string status = live::root("SHOW MASTER STATUS").at(0);
	std::string file = status.substr(0, status.find('\t'));
	live::root("CREATE TABLE " + schema +
			   ".t (a int, y year, b bit(3), u int unsigned, d decimal(5,2) unsigned, f float, "
			   "v varchar(5), "
			   "s smallint unsigned, e enum('x','y'), t tinyint); "
			   "INSERT INTO " +
			   schema +
			   ".t (a, y, b, u, d, f, s, e, t) VALUES (1, 2024, b'101', 4, 1.5, 2.5, 7, 'x', -1); "
			   "FLUSH BINARY LOGS");
	std::vector<std::string> unsigned_columns =
		live::root("SELECT column_name FROM information_schema.columns WHERE table_schema = '" + schema +
				   "' AND column_type LIKE '%unsigned%' ORDER BY ordinal_position");

	chameleon::binlog::BinlogFileReader reader(datadir + (datadir.back() == '/' ? "" : "/") + file);
	chameleon::binlog::Event event;
	std::shared_ptr<const chameleon::binlog::TableMap> table;
	while (reader.next(event))
		if (auto *map = std::get_if<chameleon::binlog::TableMapEvent>(&event.body))
			if (map->table->database == schema)
				table = map->table;
	live::root("DROP DATABASE " + schema);
	REQUIRE(table);
	std::vector<std::string> decoded_unsigned;
	for (const auto &column : table->columns)
		if (column.is_unsigned)
			decoded_unsigned.push_back(column.name);
	CHECK(decoded_unsigned == unsigned_columns);
}
