// gtids_cover: whether the replayed GTIDs include every transaction a server has executed
// (wait_for_catchup with gtid_enable, valid across a failover to another server).
#include "binlog/decode_error.hpp"
#include "binlog/gtid_set.hpp"

#include <catch2/catch.hpp>

using chameleon::binlog::gtids_cover;

TEST_CASE("MariaDB positions are covered domain by domain, whichever server wrote them", "[gtid]") {
	CHECK(gtids_cover("0-1-100", "0-1-100"));
	CHECK(gtids_cover("0-1-101", "0-1-100"));
	CHECK_FALSE(gtids_cover("0-1-99", "0-1-100"));
	// after a failover the new primary continues the domain's sequence under its own server id
	CHECK(gtids_cover("0-2-120", "0-2-120"));
	CHECK_FALSE(gtids_cover("0-1-100", "0-2-101"));
	CHECK(gtids_cover("0-1-100,1-3-7", "1-3-7"));
	CHECK_FALSE(gtids_cover("0-1-100", "0-1-100,1-3-7")); // a domain never replayed
}

TEST_CASE("MySQL sets are covered interval by interval", "[gtid]") {
	const char *uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
	std::string all = std::string(uuid) + ":1-100";
	CHECK(gtids_cover(all, std::string(uuid) + ":1-100"));
	CHECK(gtids_cover(all, std::string(uuid) + ":5-7:90"));
	CHECK_FALSE(gtids_cover(all, std::string(uuid) + ":1-101"));
	CHECK_FALSE(gtids_cover(std::string(uuid) + ":1-10:12-100", std::string(uuid) + ":1-100")); // a hole
}

TEST_CASE("an empty target is covered; an empty replay covers nothing", "[gtid]") {
	CHECK(gtids_cover("", ""));
	CHECK(gtids_cover("0-1-5", ""));
	CHECK_FALSE(gtids_cover("", "0-1-5"));
}

TEST_CASE("malformed GTID text is an error, not an answer", "[gtid]") {
	CHECK_THROWS_AS(gtids_cover("0-1-x", "0-1-5"), chameleon::binlog::DecodeError);
}
