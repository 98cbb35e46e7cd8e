// Names of binlog event types for error messages and debugging output.
#include "binlog/event_type.hpp"

namespace chameleon::binlog {

const char *
event_type_name(uint8_t type) {
	switch (type) {
	case event_type::start_v3:
		return "start_v3";
	case event_type::query:
		return "query";
	case event_type::stop:
		return "stop";
	case event_type::rotate:
		return "rotate";
	case event_type::intvar:
		return "intvar";
	case event_type::slave:
		return "slave";
	case event_type::append_block:
		return "append_block";
	case event_type::delete_file:
		return "delete_file";
	case event_type::rand:
		return "rand";
	case event_type::user_var:
		return "user_var";
	case event_type::format_description:
		return "format_description";
	case event_type::xid:
		return "xid";
	case event_type::begin_load_query:
		return "begin_load_query";
	case event_type::execute_load_query:
		return "execute_load_query";
	case event_type::table_map:
		return "table_map";
	case event_type::write_rows_v0:
		return "write_rows_v0";
	case event_type::update_rows_v0:
		return "update_rows_v0";
	case event_type::delete_rows_v0:
		return "delete_rows_v0";
	case event_type::write_rows_v1:
		return "write_rows_v1";
	case event_type::update_rows_v1:
		return "update_rows_v1";
	case event_type::delete_rows_v1:
		return "delete_rows_v1";
	case event_type::incident:
		return "incident";
	case event_type::heartbeat:
		return "heartbeat";
	case event_type::ignorable:
		return "ignorable";
	case event_type::rows_query:
		return "rows_query";
	case event_type::write_rows_v2:
		return "write_rows_v2";
	case event_type::update_rows_v2:
		return "update_rows_v2";
	case event_type::delete_rows_v2:
		return "delete_rows_v2";
	case event_type::gtid:
		return "gtid";
	case event_type::anonymous_gtid:
		return "anonymous_gtid";
	case event_type::previous_gtids:
		return "previous_gtids";
	case event_type::transaction_context:
		return "transaction_context";
	case event_type::view_change:
		return "view_change";
	case event_type::xa_prepare:
		return "xa_prepare";
	case event_type::partial_update_rows:
		return "partial_update_rows";
	case event_type::transaction_payload:
		return "transaction_payload";
	case event_type::heartbeat_v2:
		return "heartbeat_v2";
	case event_type::gtid_tagged:
		return "gtid_tagged";
	case event_type::annotate_rows:
		return "annotate_rows";
	case event_type::binlog_checkpoint:
		return "binlog_checkpoint";
	case event_type::mariadb_gtid:
		return "mariadb_gtid";
	case event_type::mariadb_gtid_list:
		return "mariadb_gtid_list";
	case event_type::start_encryption:
		return "start_encryption";
	case event_type::query_compressed:
		return "query_compressed";
	case event_type::write_rows_compressed_v1:
		return "write_rows_compressed_v1";
	case event_type::update_rows_compressed_v1:
		return "update_rows_compressed_v1";
	case event_type::delete_rows_compressed_v1:
		return "delete_rows_compressed_v1";
	case event_type::write_rows_compressed:
		return "write_rows_compressed";
	case event_type::update_rows_compressed:
		return "update_rows_compressed";
	case event_type::delete_rows_compressed:
		return "delete_rows_compressed";
	default:
		return "unknown";
	}
}

} // namespace chameleon::binlog
