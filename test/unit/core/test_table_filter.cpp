// Catch2 tests of the table and row-event filters and of identifier/literal quoting.
#include <catch2/catch.hpp>

#include "core/table_filter.hpp"

using namespace chameleon::core;

TEST_CASE("schema mappings", "[table_filter]") {
	TableFilter f({{"shop", "pg_shop"}, {"crm", "pg_crm"}}, {}, {});
	CHECK(f.destination_schema("shop") == "pg_shop");
	CHECK_FALSE(f.destination_schema("other"));
	CHECK_FALSE(f.destination_schema("Shop")); // case-sensitive
	CHECK(f.replicates_table("shop", "orders"));
	CHECK(f.replicates_table("crm", "anything"));
	CHECK_FALSE(f.replicates_table("other", "orders"));
}

TEST_CASE("limit_tables limits only the schemas it names", "[table_filter]") {
	TableFilter f({{"shop", "pg_shop"}, {"crm", "pg_crm"}}, {"shop.orders", "shop.items"}, {});
	CHECK(f.replicates_table("shop", "orders"));
	CHECK(f.replicates_table("shop", "items"));
	CHECK_FALSE(f.replicates_table("shop", "customers"));
	CHECK_FALSE(f.replicates_table("shop", "Orders"));
	CHECK(f.replicates_table("crm", "contacts")); // not mentioned: unaffected
	TableFilter unmapped({{"shop", "pg_shop"}}, {"other.t"}, {});
	CHECK_FALSE(unmapped.replicates_table("other", "t")); // listed but not mapped
}

TEST_CASE("skip_tables wins over limit_tables", "[table_filter]") {
	TableFilter f({{"shop", "pg_shop"}}, {"shop.orders", "shop.items"}, {"shop.items", "shop.log"});
	CHECK(f.replicates_table("shop", "orders"));
	CHECK_FALSE(f.replicates_table("shop", "items"));
	CHECK_FALSE(f.replicates_table("shop", "log"));
	TableFilter only_skip({{"shop", "pg_shop"}}, {}, {"shop.log"});
	CHECK(only_skip.replicates_table("shop", "orders"));
	CHECK_FALSE(only_skip.replicates_table("shop", "log"));
}

TEST_CASE("table names with dots split at the first dot", "[table_filter]") {
	TableFilter f({{"shop", "pg_shop"}}, {"shop.a.b"}, {});
	CHECK(f.replicates_table("shop", "a.b"));
	CHECK_FALSE(f.replicates_table("shop", "a"));
}

TEST_CASE("skip_events per kind, by schema or table", "[table_filter]") {
	SkipEvents skip;
	skip.insert = {"shop.log"};
	skip.delete_ = {"shop", "crm.contacts"};
	skip.update = {"crm.contacts", "crm"};
	TableFilter f({{"shop", "pg_shop"}, {"crm", "pg_crm"}}, {}, {}, skip);
	CHECK(f.skips_event(EventKind::Insert, "shop", "log"));
	CHECK_FALSE(f.skips_event(EventKind::Insert, "shop", "orders"));
	CHECK_FALSE(f.skips_event(EventKind::Update, "shop", "log"));
	CHECK(f.skips_event(EventKind::Delete, "shop", "orders"));
	CHECK(f.skips_event(EventKind::Delete, "shop", "log"));
	CHECK(f.skips_event(EventKind::Delete, "crm", "contacts"));
	CHECK_FALSE(f.skips_event(EventKind::Delete, "crm", "deals"));
	CHECK(f.skips_event(EventKind::Update, "crm", "deals")); // whole schema listed after a table
	CHECK_FALSE(f.skips_event(EventKind::Insert, "crm", "contacts"));
	CHECK(f.replicates_table("shop", "log")); // skipping events does not stop the table
}

TEST_CASE("malformed entries are rejected", "[table_filter]") {
	CHECK_THROWS_AS(TableFilter({{"s", "d"}}, {"justatable"}, {}), std::invalid_argument);
	CHECK_THROWS_AS(TableFilter({{"s", "d"}}, {}, {"s."}), std::invalid_argument);
	CHECK_THROWS_AS(TableFilter({{"s", "d"}}, {".t"}, {}), std::invalid_argument);
	SkipEvents empty;
	empty.insert = {""};
	CHECK_THROWS_AS(TableFilter({{"s", "d"}}, {}, {}, empty), std::invalid_argument);
}

TEST_CASE("quoting", "[table_filter]") {
	CHECK(quote_ident("orders") == "\"orders\"");
	CHECK(quote_ident("Mixed Case") == "\"Mixed Case\"");
	CHECK(quote_ident("a\"b") == "\"a\"\"b\"");
	CHECK(quote_ident("") == "\"\"");
	CHECK(quote_literal("abc") == "'abc'");
	CHECK(quote_literal("it's") == "'it''s'");
	CHECK(quote_literal("a\\b'c") == "E'a\\\\b''c'");
	CHECK(quote_literal("") == "''");
}
