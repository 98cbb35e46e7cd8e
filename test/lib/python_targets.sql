-- The PostgreSQL tables the Python pg_chameleon 2.0 created for the sources of
-- test/fixtures/python-catalogue (targets-tables.txt), without rows: tests load them, then
-- targets-data.sql, to import the catalogue and replicate on (doc/migrating.md).
CREATE SCHEMA shop_pg;
CREATE SCHEMA crm_pg;
CREATE SCHEMA hr_pg;
CREATE TYPE shop_pg.enum_customers_status AS ENUM ('active', 'suspended', 'closed');
CREATE TYPE crm_pg.enum_leads_stage AS ENUM ('new', 'qualified', 'won', 'lost');
CREATE TYPE hr_pg.enum_employees_dept AS ENUM ('eng', 'ops', 'sls');

CREATE TABLE shop_pg.customers (
	id bigserial PRIMARY KEY,
	email character varying(120) NOT NULL,
	full_name character varying(80),
	status shop_pg.enum_customers_status NOT NULL,
	is_vip boolean NOT NULL,
	created_at timestamp without time zone NOT NULL
);
CREATE INDEX idx_customers_status ON shop_pg.customers (status);
CREATE TABLE shop_pg.order_log (
	order_id bigint NOT NULL,
	event character varying(20) NOT NULL,
	logged_at timestamp without time zone NOT NULL
);
CREATE INDEX idx_order_log_order ON shop_pg.order_log (order_id);
CREATE TABLE shop_pg.orders (
	id bigserial PRIMARY KEY,
	customer_id integer NOT NULL,
	product_id integer NOT NULL,
	qty integer NOT NULL,
	amount numeric(12,2) NOT NULL,
	ordered_at timestamp without time zone NOT NULL
);
CREATE INDEX idx_orders_customer ON shop_pg.orders (customer_id);
CREATE TABLE shop_pg.products (
	id bigserial PRIMARY KEY,
	sku character varying(32) NOT NULL,
	name character varying(80) NOT NULL,
	price numeric(10,2) NOT NULL,
	stock_counter bigint NOT NULL
);
CREATE TABLE shop_pg.sku_codes (
	code character varying(20) NOT NULL,
	product_id integer NOT NULL,
	label character varying(40)
);
CREATE UNIQUE INDEX uk_sku_codes_code ON shop_pg.sku_codes (code);

CREATE TABLE crm_pg.contacts (
	id bigserial PRIMARY KEY,
	name character varying(80) NOT NULL,
	phone character varying(20),
	country character(2) NOT NULL,
	email character varying(120) DEFAULT NULL::character varying(120)
);
CREATE TABLE crm_pg.leads (
	id bigserial PRIMARY KEY,
	contact_id integer NOT NULL,
	stage crm_pg.enum_leads_stage NOT NULL,
	score integer
);
CREATE TABLE crm_pg.notes (
	id bigserial PRIMARY KEY,
	contact_id integer NOT NULL,
	body text,
	created_at timestamp without time zone NOT NULL
);

CREATE TABLE hr_pg.badges (
	employee_id integer NOT NULL,
	badge_no character varying(12) NOT NULL
);
CREATE TABLE hr_pg.departments (
	code character(3) PRIMARY KEY,
	name character varying(40) NOT NULL
);
CREATE TABLE hr_pg.employees (
	id bigserial PRIMARY KEY,
	name character varying(80) NOT NULL,
	dept hr_pg.enum_employees_dept NOT NULL,
	salary numeric(10,2) NOT NULL,
	hired_on date NOT NULL
);
