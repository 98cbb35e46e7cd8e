// Server version strings (see server_version.hpp).
#include "core/server_version.hpp"

namespace chameleon::core {

ServerVersion
parse_server_version(std::string_view version) {
	constexpr int largest_part = 1000000; // no version part is longer; more digits are not a version
	ServerVersion parsed;
	parsed.text = std::string(version);
	if (version.find("MariaDB") != std::string_view::npos)
		parsed.flavour = Flavour::mariadb;
	// MariaDB 10.x behind a MySQL 5.5 compatible prefix: "5.5.5-10.11.6-MariaDB"
	if (version.rfind("5.5.5-", 0) == 0 && parsed.flavour == Flavour::mariadb)
		version.remove_prefix(6);
	int *parts[] = {&parsed.major, &parsed.minor, &parsed.patch};
	size_t position = 0;
	for (int *part : parts) {
		int value = 0;
		bool any = false;
		while (position < version.size() && version[position] >= '0' && version[position] <= '9') {
			if (value >= largest_part)
				return parsed;
			value = value * 10 + (version[position] - '0');
			position++;
			any = true;
		}
		if (!any)
			break;
		*part = value;
		if (position >= version.size() || version[position] != '.')
			break;
		position++;
	}
	return parsed;
}

} // namespace chameleon::core
