// Tests of read_password(): inline passwords, a password file with the password alone or pgpass-like lines.
#include "config/source_config.hpp"
#include "config_test_support.hpp"

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace chameleon::config;
using namespace chameleon::config::testing;
using Catch::Matchers::Contains;

namespace {

// A file in the temporary directory, removed at the end of the test.
class TempFile {
  public:
	explicit TempFile(const std::string &content) {
		char name[] = "/tmp/chameleon_pw_XXXXXX";
		int fd = mkstemp(name);
		REQUIRE(fd >= 0);
		close(fd);
		path = name;
		std::ofstream(path, std::ios::binary) << content;
	}
	~TempFile() { std::remove(path.c_str()); }
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	std::string path;
};

SourceConfig
source_with_file(const std::string &file, const std::string &host = "db1", int port = 3306,
				 const std::string &user = "repl") {
	SourceConfig config;
	config.db_conn.host = host;
	config.db_conn.port = port;
	config.db_conn.user = user;
	config.db_conn.password_file = file;
	return config;
}

} // namespace

TEST_CASE("inline password, or none", "[config][password]") {
	SourceConfig config;
	CHECK(read_password(config).empty());
	config.db_conn.password = "inline";
	CHECK(read_password(config) == "inline");
}

TEST_CASE("a file with the password alone on its first line", "[config][password]") {
	TempFile file("s3cret pass\nsecond line ignored\n");
	CHECK(read_password(source_with_file(file.path)) == "s3cret pass");
	TempFile crlf("windows\r\n");
	CHECK(read_password(source_with_file(crlf.path)) == "windows");
	TempFile no_newline("a:b");
	CHECK(read_password(source_with_file(no_newline.path)) == "a:b");
}

TEST_CASE("pgpass-like lines: the first matching line wins", "[config][password]") {
	TempFile file("# host:port:user:password\n"
				  "\n"
				  "db2:3306:repl:wrong_host\n"
				  "db1:3307:repl:wrong_port\n"
				  "db1:3306:other:wrong_user\n"
				  "db1:3306:repl:pass:with:colons\n"
				  "*:*:*:fallback\n");
	CHECK(read_password(source_with_file(file.path)) == "pass:with:colons");
	CHECK(read_password(source_with_file(file.path, "db9", 1234, "x")) == "fallback");
	CHECK(read_password(source_with_file(file.path, "db2")) == "wrong_host");
}

TEST_CASE("pgpass-like lines: escapes and wildcards", "[config][password]") {
	TempFile file("fe80\\:\\:1:*:repl:back\\\\slash\\:colon\n");
	CHECK(read_password(source_with_file(file.path, "fe80::1", 5000)) == "back\\slash:colon");
}

TEST_CASE("password file errors name the file", "[config][password]") {
	ConfigError error = error_of([] { read_password(source_with_file("/nonexistent/chameleon/pw")); });
	CHECK(error.key == "db_conn.password_file");
	CHECK_THAT(error.what(),
			   Contains("could not open password file \"/nonexistent/chameleon/pw\": No such file"));

	error = error_of([] { read_password(source_with_file("/tmp")); });
	CHECK_THAT(error.what(), Contains("\"/tmp\": it is a directory"));

	TempFile empty("");
	error = error_of([&] { read_password(source_with_file(empty.path)); });
	CHECK_THAT(error.what(), Contains(empty.path) && Contains("is empty"));

	TempFile unmatched("db2:3306:repl:x\n");
	error = error_of([&] { read_password(source_with_file(unmatched.path)); });
	CHECK_THAT(error.what(), Contains("no line of password file \"" + unmatched.path +
									  "\" matches host \"db1\", port 3306 and user \"repl\""));
	CHECK_THAT(error.hint, Contains("db1:3306:repl:<password>"));

	TempFile malformed("db1:3306:repl:x\nbroken line\n");
	error = error_of([&] { read_password(source_with_file(malformed.path, "db9")); });
	CHECK(error.line == 2);
	CHECK_THAT(error.what(), Contains("line 2 of password file \"" + malformed.path +
									  "\" is not of the form host:port:user:password"));
}
