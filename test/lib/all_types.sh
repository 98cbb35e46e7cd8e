# The all-types table of the end-to-end tests: one column of every MySQL/MariaDB type of the
# type map, as lines "column|MySQL type|comparison kind|PostgreSQL type (format_type)" per
# doc/types.md. all_types_columns PG_SCHEMA prints them for a table copied into PG_SCHEMA.
all_types_columns() {
	cat <<SPEC
id|int NOT NULL PRIMARY KEY|int|integer
ti|tinyint|int|smallint
tiu|tinyint unsigned|int|smallint
si|smallint|int|smallint
siu|smallint unsigned|int|integer
mi|mediumint|int|integer
miu|mediumint unsigned|int|integer
i|int|int|integer
iu|int unsigned|int|bigint
bi|bigint|int|bigint
biu|bigint unsigned|int|numeric(20,0)
bo|tinyint(1)|int|smallint
dc|decimal(65,30)|int|numeric(65,30)
dd|decimal|int|numeric(10,0)
f|float|float|real
db|double|double|double precision
b1|bit(1)|bit1|boolean
b10|bit(10)|bitn|bit(10)
y|year|int|smallint
dt|date|date|date
dt0|datetime|datetime|timestamp(0) without time zone
dt1|datetime(1)|datetime|timestamp(1) without time zone
dt2|datetime(2)|datetime|timestamp(2) without time zone
dt3|datetime(3)|datetime|timestamp(3) without time zone
dt4|datetime(4)|datetime|timestamp(4) without time zone
dt5|datetime(5)|datetime|timestamp(5) without time zone
dt6|datetime(6)|datetime|timestamp(6) without time zone
ts0|timestamp NULL|timestamp|timestamp(0) with time zone
ts1|timestamp(1) NULL|timestamp|timestamp(1) with time zone
ts2|timestamp(2) NULL|timestamp|timestamp(2) with time zone
ts3|timestamp(3) NULL|timestamp|timestamp(3) with time zone
ts4|timestamp(4) NULL|timestamp|timestamp(4) with time zone
ts5|timestamp(5) NULL|timestamp|timestamp(5) with time zone
ts6|timestamp(6) NULL|timestamp|timestamp(6) with time zone
tm0|time|time|interval
tm1|time(1)|time|interval
tm2|time(2)|time|interval
tm3|time(3)|time|interval
tm4|time(4)|time|interval
tm5|time(5)|time|interval
tm6|time(6)|time|interval
c|char(10)|text|character(10)
vc|varchar(100)|text|character varying(100)
tt|tinytext|text|text
tx|text|text|text
mt|mediumtext|text|text
lt|longtext|text|text
bn|binary(4)|binary|bytea
vb|varbinary(10)|binary|bytea
tb|tinyblob|binary|bytea
bl|blob|binary|bytea
mb|mediumblob|binary|bytea
lb|longblob|binary|bytea
e|enum('small','medium','large')|enum|$1.enum_alltypes_e
st|set('a','b','c')|set|text[]
js|json|json|jsonb
g|geometry|geometry|bytea
p|point|geometry|bytea
ls|linestring|geometry|bytea
ip|inet6|inet|inet
ip4|inet4|inet|inet
u|uuid|uuid|uuid
gen|bigint AS (i + 1) PERSISTENT|int|bigint
genv|varchar(20) AS (concat('v', id)) VIRTUAL|text|character varying(20)
SPEC
}
