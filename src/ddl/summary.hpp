// Compact canonical one-line rendering of a parsed statement, for tests and debug logs.
#pragma once
#include "ddl/ast.hpp"

#include <string>

namespace chameleon::ddl {

// e.g. "create table db.t (id int(11) not null auto_increment, primary key (id)) engine=InnoDB"
std::string summarize(const Statement &statement);
std::string summarize(const Column &column);
std::string summarize(const Key &key);

} // namespace chameleon::ddl
