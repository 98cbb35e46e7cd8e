// check_source's rows about a replicated source's stored read position (pure logic, no server).
#include "mysql/server_checks.hpp"

#include <catch2/catch.hpp>

using namespace chameleon::mysql;

namespace {

StoredPosition
stored(const std::string &file, unsigned long long position, double age) {
	StoredPosition at;
	at.file = file;
	at.position = position;
	at.age_seconds = age;
	at.source = "shop";
	return at;
}

} // namespace

TEST_CASE("a stored position on the server is ok", "[checks]") {
	auto rows = stored_position_rows({{"mysql-bin.000007", 1000}, {"mysql-bin.000008", 400}}, 0,
									 stored("mysql-bin.000007", 1000, 5));
	REQUIRE(rows.size() == 1);
	CHECK(rows[0].name == "stored read position");
	CHECK(rows[0].status == "ok");
	CHECK(rows[0].value == "mysql-bin.000007:1000");
}

TEST_CASE("a purged file is an error whose hint names resync_source", "[checks]") {
	auto rows = stored_position_rows({{"mysql-bin.000008", 400}}, 0, stored("mysql-bin.000007", 1000, 5));
	REQUIRE(rows.size() == 1);
	CHECK(rows[0].status == "error");
	CHECK(rows[0].value.find("no longer on the server") != std::string::npos);
	CHECK(rows[0].hint.find("SELECT chameleon.resync_source('shop');") != std::string::npos);
}

TEST_CASE("a position past the end of its file is an error", "[checks]") {
	auto rows = stored_position_rows({{"mysql-bin.000007", 999}}, 0, stored("mysql-bin.000007", 1000, 5));
	REQUIRE(rows.size() == 1);
	CHECK(rows[0].status == "error");
	CHECK(rows[0].value.find("beyond the end of the file, 999 bytes") != std::string::npos);
}

TEST_CASE("binlog retention shorter than the read lag is a warning", "[checks]") {
	auto files = std::vector<BinlogFile>{{"mysql-bin.000007", 5000}};
	CHECK(stored_position_rows(files, 3600, stored("mysql-bin.000007", 4, 60)).size() == 1);
	CHECK(stored_position_rows(files, 0, stored("mysql-bin.000007", 4, 1e9)).size() == 1); // never expired
	auto rows = stored_position_rows(files, 3600, stored("mysql-bin.000007", 4, 7200));
	REQUIRE(rows.size() == 2);
	CHECK(rows[1].name == "binlog retention");
	CHECK(rows[1].status == "warning");
	CHECK(rows[1].value == "3600 s, shorter than the replica's 7200 s of read lag");
}
