// Catch2 tests of the scale-out rules: which table is distributed or a reference table, and the
// refusal of a distribution column that a primary or unique key leaves out.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "core/distribution.hpp"

using namespace chameleon::core;
using Catch::Matchers::Contains;

namespace {

TableLayout
layout_of(const std::vector<std::string> &columns, std::vector<LayoutIndex> indexes) {
	TableLayout layout;
	layout.origin_schema = "shop";
	layout.table = "orders";
	for (const std::string &name : columns) {
		LayoutColumn column;
		column.mysql.name = name;
		layout.columns.push_back(column);
	}
	layout.indexes = std::move(indexes);
	return layout;
}

LayoutIndex
index_of(IndexKind kind, std::string name, std::vector<std::string> columns) {
	LayoutIndex index;
	index.kind = kind;
	index.mysql_name = std::move(name);
	index.columns = std::move(columns);
	return index;
}

const DistributionRules rules{{{"shop.orders", "customer_id"}, {"shop.*", "id"}, {"crm.events", "id"}},
							  {"shop.countries", "ref.*"}};

} // namespace

TEST_CASE("a table entry wins over a schema entry", "[distribution]") {
	Distribution orders = distribution_of(rules, "shop", "orders");
	CHECK(orders.kind == DistributionKind::distributed);
	CHECK(orders.column == "customer_id");
	Distribution items = distribution_of(rules, "shop", "items");
	CHECK(items.kind == DistributionKind::distributed);
	CHECK(items.column == "id");
	CHECK(distribution_of(rules, "shop", "countries").kind == DistributionKind::reference);
	CHECK(distribution_of(rules, "ref", "anything").kind == DistributionKind::reference);
	CHECK(distribution_of(rules, "crm", "events").kind == DistributionKind::distributed);
	CHECK(distribution_of(rules, "crm", "contacts").kind == DistributionKind::local);
	CHECK(distribution_of(rules, "crm", "Events").kind == DistributionKind::local); // names as MySQL's
	CHECK(distribution_of(rules, "shopx", "orders").kind == DistributionKind::local);
	CHECK(distribution_of(DistributionRules{}, "shop", "orders").kind == DistributionKind::local);
	CHECK(DistributionRules{}.empty());
	CHECK_FALSE(rules.empty());
}

TEST_CASE("a reference table entry wins over a distributed schema entry", "[distribution]") {
	DistributionRules mixed{{{"shop.*", "id"}}, {"shop.countries"}};
	CHECK(distribution_of(mixed, "shop", "countries").kind == DistributionKind::reference);
	DistributionRules other{{{"shop.countries", "code"}}, {"shop.*"}};
	CHECK(distribution_of(other, "shop", "countries").kind == DistributionKind::distributed);
	CHECK(distribution_of(other, "shop", "orders").kind == DistributionKind::reference);
}

TEST_CASE("every primary and unique key must include the distribution column", "[distribution]") {
	Distribution by_customer{DistributionKind::distributed, "customer_id"};
	TableLayout good = layout_of({"id", "Customer_ID", "code"},
								 {index_of(IndexKind::primary, "PRIMARY", {"id", "Customer_ID"}),
								  index_of(IndexKind::unique, "u_code", {"code", "customer_id"}),
								  index_of(IndexKind::index, "i_code", {"code"})});
	CHECK_NOTHROW(check_distribution(by_customer, good));
	CHECK(distribution_column(by_customer, good) == "Customer_ID"); // the column as named in PostgreSQL

	TableLayout bad_pk = layout_of({"id", "customer_id"}, {index_of(IndexKind::primary, "PRIMARY", {"id"})});
	try {
		check_distribution(by_customer, bad_pk);
		FAIL("no error");
	} catch (const chameleon::Error &error) {
		CHECK(std::string(error.sqlstate) == chameleon::sqlstate::feature_not_supported);
		CHECK_THAT(error.what(),
				   Contains("\"shop.orders\" cannot be distributed by column \"customer_id\"") &&
					   Contains("primary key does not include it"));
		CHECK_THAT(error.hint, Contains("reference_tables"));
	}
	TableLayout bad_unique = layout_of({"id", "customer_id", "code"},
									   {index_of(IndexKind::primary, "PRIMARY", {"id", "customer_id"}),
										index_of(IndexKind::unique, "u_code", {"code"})});
	CHECK_THROWS_WITH(check_distribution(by_customer, bad_unique), Contains("unique key \"u_code\""));
	TableLayout missing = layout_of({"id"}, {});
	CHECK_THROWS_WITH(check_distribution(by_customer, missing), Contains("has no column \"customer_id\""));

	Distribution reference{DistributionKind::reference, {}};
	CHECK_NOTHROW(check_distribution(reference, bad_pk));
	CHECK_NOTHROW(check_distribution(Distribution{}, missing));
}

TEST_CASE("distribution text", "[distribution]") {
	CHECK(distribution_text({DistributionKind::distributed, "id"}) == "distributed by id");
	CHECK(distribution_text({DistributionKind::reference, {}}) == "reference");
	CHECK(distribution_text({}) == "local");
}
