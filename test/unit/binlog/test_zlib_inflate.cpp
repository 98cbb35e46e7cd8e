// zlib_uncompress on streams made by zlib's own compress(): round trips of every block kind,
// truncation, wrong declared sizes, impossible declared sizes, and corrupt streams.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <random>
#include <string>

#include "binlog/decode_error.hpp"
#include "binlog/decoder.hpp"
#include "binlog/event_type.hpp"
#include "binlog/file_reader.hpp"
#include "binlog/zlib_inflate.hpp"
#include "binlog_test_util.hpp"

using namespace chameleon::binlog;
using namespace binlog_test;

namespace {

Bytes
deflate(const Bytes &plain, int level = Z_DEFAULT_COMPRESSION) {
	uLongf size = compressBound(plain.size());
	Bytes out(size);
	REQUIRE(compress2(out.data(), &size, plain.data(), plain.size(), level) == Z_OK);
	out.resize(size);
	return out;
}

std::string
error_of(const Bytes &z, size_t expected) {
	try {
		zlib_uncompress(z.data(), z.size(), expected);
	} catch (const DecodeError &e) {
		return e.what();
	}
	return "";
}

Bytes
random_bytes(size_t n) {
	std::mt19937 gen(42); // NOLINT(cert-msc51-cpp): the same bytes in every run, so a failure repeats
	Bytes out(n);
	for (uint8_t &b : out)
		b = static_cast<uint8_t>(gen());
	return out;
}

Bytes
text_bytes(size_t n) {
	Bytes out;
	for (size_t i = 0; out.size() < n; i++)
		put_str(out, "INSERT INTO t VALUES (" + std::to_string(i * 7919 % 100003) + ", 'row');\n");
	out.resize(n);
	return out;
}

} // namespace

TEST_CASE("zlib_uncompress round-trips streams of zlib's compress", "[binlog][zlib]") {
	std::vector<Bytes> inputs = {Bytes{},
								 Bytes{'x'},
								 text_bytes(100),
								 text_bytes(70000),
								 random_bytes(100000),
								 Bytes(3u << 20, 0),
								 text_bytes(5u << 20)};
	for (const Bytes &plain : inputs) {
		for (int level : {Z_NO_COMPRESSION, Z_BEST_SPEED, Z_DEFAULT_COMPRESSION, Z_BEST_COMPRESSION}) {
			INFO("size " << plain.size() << " level " << level);
			Bytes z = deflate(plain, level);
			CHECK(zlib_uncompress(z.data(), z.size(), plain.size()) == plain);
		}
	}
	// Bytes after the Adler-32 trailer are ignored, as the server's uncompress() ignores them.
	Bytes plain = text_bytes(1000);
	Bytes z = deflate(plain);
	z.insert(z.end(), {1, 2, 3});
	CHECK(zlib_uncompress(z.data(), z.size(), plain.size()) == plain);
}

TEST_CASE("zlib_uncompress refuses truncated and corrupt streams", "[binlog][zlib]") {
	Bytes plain = text_bytes(5000);
	Bytes z = deflate(plain);
	for (size_t cut = 0; cut < z.size(); cut++) {
		INFO("cut at " << cut << " of " << z.size());
		Bytes part(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(cut));
		std::string error = error_of(part, plain.size());
		if (plain.size() / 1032 > cut)
			CHECK(error.find("compressed bytes can hold") != std::string::npos);
		else
			CHECK(error == "invalid zlib data in compressed event: truncated stream");
	}
	Bytes bad_check = z;
	bad_check.back() ^= 1;
	CHECK(error_of(bad_check, plain.size()).find("incorrect data check") != std::string::npos);
	Bytes bad_header = z;
	bad_header[1] ^= 1;
	CHECK(error_of(bad_header, plain.size()).find("incorrect header check") != std::string::npos);
	Bytes bad_method = z;
	bad_method[0] = 0x77; // method 7, header checksum still valid
	bad_method[1] = 0x09;
	CHECK(error_of(bad_method, plain.size()).find("unknown compression method") != std::string::npos);
	Bytes dictionary = {0x78, 0xbb, 0, 0, 0, 1}; // FDICT set, dictionary id 1
	CHECK(error_of(dictionary, 10).find("preset dictionary") != std::string::npos);
	Bytes flipped = z;
	flipped[z.size() / 2] ^= 0x55;
	CHECK_FALSE(error_of(flipped, plain.size()).empty());
}

TEST_CASE("zlib_uncompress requires the declared size exactly", "[binlog][zlib]") {
	for (size_t n : {size_t(0), size_t(10), size_t(3) << 20}) {
		INFO("size " << n);
		Bytes plain = text_bytes(n);
		Bytes z = deflate(plain);
		CHECK(error_of(z, n + 1) == "invalid zlib data in compressed event: expands to " + std::to_string(n) +
										" bytes instead of " + std::to_string(n + 1));
		if (n > 0)
			CHECK(error_of(z, n - 1) ==
				  "invalid zlib data in compressed event: expands beyond its declared " +
					  std::to_string(n - 1) + " bytes");
	}
}

TEST_CASE("zlib_uncompress refuses sizes no stream of its length can reach", "[binlog][zlib]") {
	Bytes z = deflate(Bytes(1000, 0));
	// Refused before any allocation: allocating these would throw bad_alloc or length_error.
	for (size_t huge : {size_t(1) << 40, SIZE_MAX, (z.size() + 1) * 1032}) {
		INFO("declared " << huge);
		CHECK(error_of(z, huge).find("compressed bytes can hold") != std::string::npos);
	}
	// The densest possible stream still decodes: 1 MiB of zeros in far fewer than 1 MiB / 1032 bytes
	// would be impossible, so the real stream is within the bound.
	Bytes zeros(1u << 20, 0);
	Bytes dense = deflate(zeros, Z_BEST_COMPRESSION);
	CHECK(dense.size() * 1032 >= zeros.size());
	CHECK(zlib_uncompress(dense.data(), dense.size(), zeros.size()) == zeros);
}

TEST_CASE("mariadb compressed event declaring more than the payload limit", "[binlog][zlib]") {
	Decoder d;
	Bytes fde = make_fde("10.11.19-MariaDB-log", 1, true);
	d.decode(fde.data(), fde.size());
	Bytes q = compressed_query_prefix();
	q.push_back(0x84); // four length bytes
	put_be(q, 0xffffffffu, 4);
	Bytes z = deflate(Bytes(5000000, 'a'));
	q.insert(q.end(), z.begin(), z.end());
	Bytes query = make_event(event_type::query_compressed, q, true);
	try {
		d.decode(query.data(), query.size());
		FAIL("decoded");
	} catch (const DecodeError &e) {
		CHECK(std::string(e.what()).find("mariadb compressed event of 4294967295 bytes exceeds the limit") !=
			  std::string::npos);
	}
}

// The fuzz seed that leads libFuzzer to zlib_uncompress: a MariaDB FDE, a compressed QUERY, a
// TABLE_MAP and a compressed WRITE_ROWS of 20 rows, built with zlib's compress2 at level 9.
TEST_CASE("the mariadb compressed fuzz seed decodes", "[binlog][zlib]") {
	BinlogFileReader reader(std::string(CHAMELEON_SOURCE_ROOT) +
							"/test/fuzz/seeds/binlog/mariadb_compressed_events.bin");
	Event e;
	REQUIRE(reader.next(e));
	REQUIRE(reader.next(e));
	auto &query = std::get<QueryEvent>(e.body);
	CHECK(query.compressed);
	CHECK(query.statement ==
		  "INSERT INTO t VALUES (1, 'alpha'), (2, 'beta'), (3, 'alpha beta'), (4, 'beta alpha')");
	REQUIRE(reader.next(e));
	REQUIRE(reader.next(e));
	RowReader rows(std::get<RowsEvent>(e.body));
	std::vector<Value> before, after;
	int count = 0;
	while (rows.next(before, after)) {
		CHECK(after[0].i64 == count);
		CHECK(after[1].bytes() == "alpha");
		count++;
	}
	CHECK(count == 20);
	CHECK_FALSE(reader.next(e));
}
