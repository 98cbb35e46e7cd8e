// Compact canonical one-line rendering of a parsed statement (see summary.hpp).
#include "ddl/summary.hpp"

#include <cctype>

namespace chameleon::ddl {

namespace {

// Quotes a string SQL-style; line breaks and tabs are shown as \n, \r, \t to keep one line.
std::string
quote(const std::string &text) {
	std::string quoted = "'";
	for (char c : text) {
		if (c == '\n')
			quoted += "\\n";
		else if (c == '\r')
			quoted += "\\r";
		else if (c == '\t')
			quoted += "\\t";
		else if (c == '\'')
			quoted += "''";
		else
			quoted += c;
	}
	return quoted + "'";
}

// Names are shown bare unless they need backquotes to be read back.
std::string
ident(const std::string &name) {
	bool plain = !name.empty();
	for (char c : name)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'))
			plain = false;
	if (plain)
		return name;
	std::string quoted = "`";
	for (char c : name) {
		if (c == '`')
			quoted += '`';
		quoted += c;
	}
	return quoted + "`";
}

std::string
qualified(const QualifiedName &name) {
	return name.schema.empty() ? ident(name.name) : ident(name.schema) + "." + ident(name.name);
}

std::string
option_value(const std::string &value) {
	for (char c : value)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
			return quote(value);
	return value.empty() ? "''" : value;
}

std::string
default_text(const DefaultValue &value) {
	switch (value.kind) {
	case DefaultKind::none:
		return "";
	case DefaultKind::null:
		return "null";
	case DefaultKind::string:
		if (value.introducer == "n")
			return "N" + quote(value.value);
		return (value.introducer.empty() ? "" : "_" + value.introducer) + quote(value.value);
	case DefaultKind::number:
	case DefaultKind::bit_or_hex:
		return value.value;
	case DefaultKind::current_timestamp:
		return value.fsp ? "current_timestamp(" + std::to_string(*value.fsp) + ")" : "current_timestamp";
	case DefaultKind::expression:
		return "expr(" + value.value + ")";
	}
	return "";
}

const char *
action_text(ReferentialAction action) {
	switch (action) {
	case ReferentialAction::restrict:
		return "restrict";
	case ReferentialAction::cascade:
		return "cascade";
	case ReferentialAction::set_null:
		return "set null";
	case ReferentialAction::set_default:
		return "set default";
	case ReferentialAction::no_action:
		return "no action";
	case ReferentialAction::unspecified:
		break;
	}
	return "";
}

std::string
reference_text(const Reference &reference) {
	std::string text = "references " + qualified(reference.table);
	if (!reference.columns.empty()) {
		text += " (";
		for (std::size_t i = 0; i < reference.columns.size(); ++i)
			text += (i ? ", " : "") + ident(reference.columns[i]);
		text += ")";
	}
	if (!reference.match.empty())
		text += " match " + reference.match;
	if (reference.on_delete != ReferentialAction::unspecified)
		text += std::string(" on delete ") + action_text(reference.on_delete);
	if (reference.on_update != ReferentialAction::unspecified)
		text += std::string(" on update ") + action_text(reference.on_update);
	return text;
}

std::string
check_text(const CheckConstraint &check) {
	std::string text = check.name.empty() ? "" : "constraint " + ident(check.name) + " ";
	text += "check (" + check.expression + ")";
	if (check.enforced)
		text += *check.enforced ? " enforced" : " not enforced";
	return text;
}

std::string
options_text(const std::vector<TableOption> &options) {
	std::string text;
	for (const TableOption &option : options)
		text += (text.empty() ? "" : " ") + option.name +
				(option.value.empty() ? "" : "=" + option_value(option.value));
	return text;
}

std::string
position_text(const ColumnPosition &position) {
	if (position.first)
		return " first";
	return position.after.empty() ? "" : " after " + ident(position.after);
}

std::string
alter_option_text(const AlterOption &option) {
	return option.name + (option.value.empty() ? "" : "=" + option.value);
}

struct CommandText {
	std::string operator()(const AddColumn &add) const {
		return std::string("add column ") + (add.if_not_exists ? "if not exists " : "") +
			   summarize(add.column) + position_text(add.position);
	}
	std::string operator()(const DropColumn &drop) const {
		return std::string("drop column ") + (drop.if_exists ? "if exists " : "") + ident(drop.name);
	}
	std::string operator()(const ChangeColumn &change) const {
		std::string text = change.is_modify ? "modify column " : "change column ";
		text += change.if_exists ? "if exists " : "";
		if (!change.is_modify)
			text += ident(change.old_name) + " ";
		return text + summarize(change.column) + position_text(change.position);
	}
	std::string operator()(const RenameColumn &rename) const {
		return "rename column " + ident(rename.old_name) + " to " + ident(rename.new_name);
	}
	std::string operator()(const AlterColumnDefault &alter) const {
		if (alter.default_value.kind == DefaultKind::none)
			return "alter column " + ident(alter.column) + " drop default";
		return "alter column " + ident(alter.column) + " set default " + default_text(alter.default_value);
	}
	std::string operator()(const AlterColumnVisibility &alter) const {
		return "alter column " + ident(alter.column) + (alter.invisible ? " set invisible" : " set visible");
	}
	std::string operator()(const AddKey &add) const {
		return std::string("add ") + (add.if_not_exists ? "if not exists " : "") + summarize(add.key);
	}
	std::string operator()(const DropKey &drop) const {
		static const char *const kinds[] = {"primary key", "index", "foreign key", "check", "constraint"};
		std::string text = std::string("drop ") + kinds[static_cast<int>(drop.kind)];
		if (drop.if_exists)
			text += " if exists";
		return drop.name.empty() ? text : text + " " + ident(drop.name);
	}
	std::string operator()(const RenameKey &rename) const {
		return "rename index " + ident(rename.old_name) + " to " + ident(rename.new_name);
	}
	std::string operator()(const AlterKeyVisibility &alter) const {
		return "alter index " + ident(alter.name) + (alter.invisible ? " invisible" : " visible");
	}
	std::string operator()(const AlterCheckEnforcement &alter) const {
		return "alter check " + ident(alter.name) + (alter.enforced ? " enforced" : " not enforced");
	}
	std::string operator()(const RenameTo &rename) const { return "rename to " + qualified(rename.new_name); }
	std::string operator()(const ConvertCharset &convert) const {
		return "convert to character set " + convert.charset +
			   (convert.collation.empty() ? "" : " collate " + convert.collation);
	}
	std::string operator()(const SetTableOptions &options) const {
		return "options " + options_text(options.options);
	}
	std::string operator()(const AlterOption &option) const { return alter_option_text(option); }
	std::string operator()(const OrderBy &order) const { return "order by " + order.raw; }
	std::string operator()(const PartitionMaintenance &partition) const {
		return "partition[" + partition.operation + "] " + partition.raw;
	}
	std::string operator()(const ToggleKeys &toggle) const {
		return toggle.enable ? "enable keys" : "disable keys";
	}
};

struct StatementText {
	std::string operator()(const CreateTable &create) const {
		std::string text = "create ";
		text += create.or_replace ? "or replace " : "";
		text += create.temporary ? "temporary " : "";
		text += "table ";
		text += create.if_not_exists ? "if not exists " : "";
		text += qualified(create.table);
		if (create.like)
			return text + " like " + qualified(*create.like);
		if (!create.columns.empty() || !create.keys.empty()) {
			std::string elements;
			for (const Column &column : create.columns)
				elements += (elements.empty() ? "" : ", ") + summarize(column);
			for (const Key &key : create.keys)
				elements += (elements.empty() ? "" : ", ") + summarize(key);
			text += " (" + elements + ")";
		}
		if (!create.options.empty())
			text += " " + options_text(create.options);
		if (!create.partitioning.empty())
			text += " " + create.partitioning;
		if (!create.select.empty())
			text += " as " + create.select;
		return text;
	}
	std::string operator()(const DropTable &drop) const {
		std::string text = std::string("drop ") + (drop.temporary ? "temporary " : "") + "table " +
						   (drop.if_exists ? "if exists " : "");
		for (std::size_t i = 0; i < drop.tables.size(); ++i)
			text += (i ? ", " : "") + qualified(drop.tables[i]);
		return text;
	}
	std::string operator()(const TruncateTable &truncate) const {
		return "truncate table " + qualified(truncate.table);
	}
	std::string operator()(const RenameTable &rename) const {
		std::string text = "rename table ";
		for (std::size_t i = 0; i < rename.renames.size(); ++i)
			text += (i ? ", " : "") + qualified(rename.renames[i].from) + " to " +
					qualified(rename.renames[i].to);
		return text;
	}
	std::string operator()(const AlterTable &alter) const {
		std::string text = std::string("alter ") + (alter.online ? "online " : "") +
						   (alter.ignore ? "ignore " : "") + "table " +
						   (alter.if_exists ? "if exists " : "") + qualified(alter.table);
		for (std::size_t i = 0; i < alter.commands.size(); ++i)
			text += (i ? "; " : ": ") + std::visit(CommandText{}, alter.commands[i]);
		return text;
	}
	std::string operator()(const CreateIndex &create) const {
		std::string text = std::string("create ") + (create.or_replace ? "or replace " : "") + "index " +
						   (create.if_not_exists ? "if not exists " : "") + "on " + qualified(create.table) +
						   ": " + summarize(create.key);
		for (const AlterOption &option : create.options)
			text += " " + alter_option_text(option);
		return text;
	}
	std::string operator()(const DropIndex &drop) const {
		std::string text = std::string("drop index ") + (drop.if_exists ? "if exists " : "") +
						   ident(drop.name) + " on " + qualified(drop.table);
		for (const AlterOption &option : drop.options)
			text += " " + alter_option_text(option);
		return text;
	}
	std::string operator()(const Unsupported &unsupported) const {
		return "unsupported: " + unsupported.reason;
	}
};

} // namespace

std::string
summarize(const Column &column) {
	std::string text = ident(column.name) + " " + column.column_type;
	if (column.declared_boolean)
		text += " /*bool*/";
	if (column.declared_serial)
		text += " /*serial*/";
	if (!column.charset.empty())
		text += " charset " + column.charset;
	if (!column.collation.empty())
		text += " collate " + column.collation;
	if (column.binary)
		text += " binary";
	if (column.generated_expression)
		text += " as (" + *column.generated_expression + ")" + (column.stored ? " stored" : " virtual");
	if (column.nullable)
		text += *column.nullable ? " null" : " not null";
	if (column.default_value.kind != DefaultKind::none)
		text += " default " + default_text(column.default_value);
	if (column.on_update.kind != DefaultKind::none)
		text += " on update " + default_text(column.on_update);
	if (column.auto_increment)
		text += " auto_increment";
	if (column.primary_key)
		text += " primary key";
	if (column.unique_key)
		text += " unique";
	if (column.comment)
		text += " comment " + quote(*column.comment);
	if (column.invisible)
		text += *column.invisible ? " invisible" : " visible";
	if (column.srid)
		text += " srid " + std::to_string(*column.srid);
	if (column.references)
		text += " " + reference_text(*column.references);
	for (const CheckConstraint &check : column.checks)
		text += " " + check_text(check);
	return text;
}

std::string
summarize(const Key &key) {
	if (key.kind == KeyKind::check)
		return key.check ? check_text(*key.check) : "check";
	static const char *const kinds[] = {"primary key",	"unique key",  "key",
										"fulltext key", "spatial key", "foreign key"};
	std::string text = key.constraint_name.empty() ? "" : "constraint " + ident(key.constraint_name) + " ";
	text += kinds[static_cast<int>(key.kind)];
	if (!key.name.empty())
		text += " " + ident(key.name);
	text += " (";
	for (std::size_t i = 0; i < key.parts.size(); ++i) {
		const KeyPart &part = key.parts[i];
		text += i ? ", " : "";
		text += part.column.empty() ? "(" + part.expression + ")" : ident(part.column);
		if (part.prefix_length)
			text += "(" + std::to_string(*part.prefix_length) + ")";
		if (part.descending)
			text += " desc";
	}
	text += ")";
	if (!key.using_method.empty())
		text += " using " + key.using_method;
	if (key.comment)
		text += " comment " + quote(*key.comment);
	if (key.invisible)
		text += " invisible";
	if (key.references)
		text += " " + reference_text(*key.references);
	return text;
}

std::string
summarize(const Statement &statement) {
	return std::visit(StatementText{}, statement);
}

} // namespace chameleon::ddl
