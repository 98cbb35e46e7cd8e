// A MySQL or MariaDB server version, read from SELECT VERSION() or a binlog's format description.
#pragma once

#include <string>
#include <string_view>

namespace chameleon::core {

enum class Flavour { mysql, mariadb };

struct ServerVersion {
	std::string text; // as the server wrote it
	Flavour flavour = Flavour::mysql;
	int major = 0, minor = 0, patch = 0;

	bool at_least(int want_major, int want_minor, int want_patch = 0) const {
		if (major != want_major)
			return major > want_major;
		if (minor != want_minor)
			return minor > want_minor;
		return patch >= want_patch;
	}
};

// "8.0.36", "8.0.36-log", "10.11.6-MariaDB-0+deb12u1", MariaDB's "5.5.5-10.11.6-MariaDB" prefix;
// the parts that cannot be read stay 0.
ServerVersion parse_server_version(std::string_view version);

} // namespace chameleon::core
