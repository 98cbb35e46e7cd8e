// Server version strings and the order of binlog positions.
#include "core/binlog_position.hpp"
#include "core/server_version.hpp"

#include <catch2/catch.hpp>

using namespace chameleon::core;

TEST_CASE("server versions of MySQL and MariaDB", "[server_version]") {
	ServerVersion mysql = parse_server_version("8.0.36-log");
	CHECK(mysql.flavour == Flavour::mysql);
	CHECK((mysql.major == 8 && mysql.minor == 0 && mysql.patch == 36));
	CHECK(mysql.at_least(8, 0, 36));
	CHECK_FALSE(mysql.at_least(8, 2));
	ServerVersion maria = parse_server_version("5.5.5-10.11.6-MariaDB-0+deb12u1");
	CHECK(maria.flavour == Flavour::mariadb);
	CHECK((maria.major == 10 && maria.minor == 11 && maria.patch == 6));
	CHECK(maria.text == "5.5.5-10.11.6-MariaDB-0+deb12u1");
	CHECK(parse_server_version("11.4.2-MariaDB-log").at_least(11, 4));
	CHECK(parse_server_version("9.1.0").at_least(8, 4, 3));
	CHECK(parse_server_version("5.5.62-log").major == 5);
}

TEST_CASE("version strings that are not versions read as zeros", "[server_version]") {
	CHECK(parse_server_version("").major == 0);
	CHECK(parse_server_version("garbage").major == 0);
	ServerVersion partial = parse_server_version("8.x");
	CHECK((partial.major == 8 && partial.minor == 0 && partial.patch == 0));
	// a digit string longer than any version part stops the reading instead of overflowing
	ServerVersion long_digits = parse_server_version("99999999999999999999.1");
	CHECK(long_digits.minor == 0);
}

TEST_CASE("binlog files compare by number past six digits", "[binlog_position]") {
	CHECK(compare_binlog_files("mysql-bin.000001", "mysql-bin.000002") < 0);
	CHECK(compare_binlog_files("mysql-bin.999999", "mysql-bin.1000000") < 0);
	CHECK(compare_binlog_files("mysql-bin.1000000", "mysql-bin.999999") > 0);
	CHECK(compare_binlog_files("mysql-bin.1000001", "mysql-bin.1000000") > 0);
	CHECK(compare_binlog_files("mysql-bin.000010", "mysql-bin.10") == 0);
	CHECK(compare_binlog_files("mysql-bin.000003", "mysql-bin.000003") == 0);
	// names without a number, or of another base, compare as strings
	CHECK(compare_binlog_files("a.log", "b.log") < 0);
	CHECK(compare_binlog_files("alpha.000009", "beta.000001") < 0);
	CHECK(compare_binlog_files("binlog", "binlog.") < 0);
}

TEST_CASE("binlog positions order by file, then by position", "[binlog_position]") {
	CHECK(binlog_position_before("mysql-bin.000001", 900, "mysql-bin.000002", 4));
	CHECK(binlog_position_before("mysql-bin.000002", 4, "mysql-bin.000002", 5));
	CHECK_FALSE(binlog_position_before("mysql-bin.000002", 5, "mysql-bin.000002", 5));
	CHECK_FALSE(binlog_position_before("mysql-bin.1000000", 4, "mysql-bin.999999", 500));
	CHECK(binlog_position_before("mysql-bin.999999", 500, "mysql-bin.1000000", 4));
}
