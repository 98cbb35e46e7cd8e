# The all-types table of the end-to-end tests: one column of every MySQL/MariaDB type of the
# type map, as lines "column|MySQL type|comparison kind|PostgreSQL type (format_type)" per
# doc/types.md. all_types_columns PG_SCHEMA prints them for a table copied into PG_SCHEMA;
# my_expr, pg_expr and norm_expr give the expressions that compare the values of each kind.
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

# all_types_rows TABLE prints the MySQL statements that fill TABLE, an all-types table: the
# lowest and highest value of every column, a row of NULLs and a row of awkward values.
all_types_rows() {
	cat <<SQL
SET time_zone = '+00:00';
INSERT INTO $1 SET id = 1, ti = -128, tiu = 0, si = -32768, siu = 0, mi = -8388608, miu = 0,
	i = -2147483648, iu = 0, bi = -9223372036854775808, biu = 0, bo = 0,
	dc = -99999999999999999999999999999999999.999999999999999999999999999999, dd = -9999999999,
	f = -3.4028234e38, db = -1.7976931348623157e308, b1 = b'0', b10 = b'0000000000', y = 1901,
	dt = '1000-01-01', dt0 = '1000-01-01 00:00:00', dt1 = '1000-01-01 00:00:00.1', dt2 = '1000-01-01 00:00:00.01',
	dt3 = '1000-01-01 00:00:00.001', dt4 = '1000-01-01 00:00:00.0001', dt5 = '1000-01-01 00:00:00.00001',
	dt6 = '1000-01-01 00:00:00.000001', ts0 = '1970-01-01 00:00:01', ts1 = '1970-01-01 00:00:01.1',
	ts2 = '1970-01-01 00:00:01.01', ts3 = '1970-01-01 00:00:01.001', ts4 = '1970-01-01 00:00:01.0001',
	ts5 = '1970-01-01 00:00:01.00001', ts6 = '1970-01-01 00:00:01.000001', tm0 = '-838:59:59',
	tm1 = '-838:59:58.9', tm2 = '-838:59:58.99', tm3 = '-838:59:58.999', tm4 = '-838:59:58.9999',
	tm5 = '-838:59:58.99999', tm6 = '-838:59:58.999999', c = '', vc = '', tt = '', tx = '', mt = '', lt = '',
	bn = 0x00, vb = 0x00, tb = 0x00, bl = 0x00, mb = '', lb = 0x00, e = 'small', st = '',
	js = '{}', g = ST_GeomFromText('POINT(0 0)'), p = POINT(-1.5, 2.25),
	ls = ST_GeomFromText('LINESTRING(0 0, 1 1, 2 4)'), ip = '::', ip4 = '0.0.0.0',
	u = '00000000-0000-0000-0000-000000000000';
INSERT INTO $1 SET id = 2, ti = 127, tiu = 255, si = 32767, siu = 65535, mi = 8388607,
	miu = 16777215, i = 2147483647, iu = 4294967295, bi = 9223372036854775807, biu = 18446744073709551615,
	bo = 1, dc = 99999999999999999999999999999999999.999999999999999999999999999999, dd = 9999999999,
	f = 3.4028234e38, db = 1.7976931348623157e308, b1 = b'1', b10 = b'1111111111', y = 2155,
	dt = '9999-12-31', dt0 = '9999-12-31 23:59:59', dt1 = '9999-12-31 23:59:59.9', dt2 = '9999-12-31 23:59:59.99',
	dt3 = '9999-12-31 23:59:59.999', dt4 = '9999-12-31 23:59:59.9999', dt5 = '9999-12-31 23:59:59.99999',
	dt6 = '9999-12-31 23:59:59.999999', ts0 = '2038-01-19 03:14:07', ts1 = '2038-01-19 03:14:07.9',
	ts2 = '2038-01-19 03:14:07.99', ts3 = '2038-01-19 03:14:07.999', ts4 = '2038-01-19 03:14:07.9999',
	ts5 = '2038-01-19 03:14:07.99999', ts6 = '2038-01-19 03:14:07.999999', tm0 = '838:59:59',
	tm1 = '838:59:58.9', tm2 = '838:59:58.99', tm3 = '838:59:58.999', tm4 = '838:59:58.9999',
	tm5 = '838:59:58.99999', tm6 = '838:59:58.999999', c = 'abcdefghi😀', vc = REPEAT('é😀', 50),
	tt = 'tiny 😀', tx = 'tab\there\nnew line\r\\\\ backslash 😀 ü', mt = 'medium\\\\N', lt = REPEAT('long😀', 1000),
	bn = 0xFFFEFDFC, vb = 0x80FF00FE5C0A090D0A00, tb = 0x5C4E, bl = 0x00FF80810A5C09,
	mb = UNHEX(REPEAT('00FF7F80', 1000)), lb = 0xDEADBEEF, e = 'large', st = 'a,b,c',
	js = '{"b": [1, "x\\\\ty", null], "a": {"é": "😀"}}', g = ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))'),
	p = POINT(1e300, -0.000001), ls = ST_GeomFromText('LINESTRING(-1 -1, 1e10 2)'),
	ip = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ip4 = '255.255.255.255',
	u = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
INSERT INTO $1 (id) VALUES (3);
INSERT INTO $1 SET id = 4, ti = 5, tiu = 200, si = -5, siu = 40000, mi = -5, miu = 9000000,
	i = 42, iu = 3000000000, bi = -42, biu = 9223372036854775808, bo = 2,
	dc = -0.000000000000000000000000000001, dd = 0, f = 3.14159274, db = 0.1, b1 = b'1', b10 = b'101',
	y = 2024, dt = '2024-02-29', dt0 = '2024-02-29 12:34:56', dt1 = '2024-02-29 12:34:56.1',
	dt2 = '2024-02-29 12:34:56.12', dt3 = '2024-02-29 12:34:56.123', dt4 = '2024-02-29 12:34:56.1234',
	dt5 = '2024-02-29 12:34:56.12345', dt6 = '2024-02-29 12:34:56.123456', ts0 = '2024-02-29 12:34:56',
	ts1 = '2024-02-29 12:34:56.1', ts2 = '2024-02-29 12:34:56.12', ts3 = '2024-02-29 12:34:56.123',
	ts4 = '2024-02-29 12:34:56.1234', ts5 = '2024-02-29 12:34:56.12345', ts6 = '2024-02-29 12:34:56.123456',
	tm0 = '100:00:00', tm1 = '-00:00:00.5', tm2 = '24:00:00.01', tm3 = '-25:30:00.123', tm4 = '00:00:00',
	tm5 = '-00:00:00.00001', tm6 = '-12:34:56.000001', c = 'pad  ', vc = 'quote '' " { } , ', tt = 'NULL',
	tx = '\\\\N', mt = 'ascii', lt = '', bn = 0x61, vb = '', tb = 0x00, bl = 0x0A, mb = 0x0D, lb = 0x09,
	e = 'medium', st = 'a,c', js = '[1, 2.5, "three", true, null]',
	g = ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))'), p = POINT(3, 4),
	ls = ST_GeomFromText('LINESTRING(0 0, 0 1)'), ip = '::ffff:1.2.3.4', ip4 = '10.0.0.1',
	u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
SQL
}

# my_expr KIND: canonical text of a MySQL value; pg_expr KIND: the same for PostgreSQL;
# norm_expr KIND: normalisation of the MySQL text (m.v) in PostgreSQL.
my_expr() {
	case $1 in
	float) echo 'CAST({c} AS DOUBLE)' ;; # the exact IEEE single value, widened
	bit1) echo '{c} + 0' ;;
	bitn) echo "LPAD(BIN({c} + 0), 10, '0')" ;;
	datetime | timestamp) echo "DATE_FORMAT({c}, '%Y-%m-%d %H:%i:%s.%f')" ;;
	time) echo 'CAST(TIME_TO_SEC({c}) AS DECIMAL(20,6))' ;;
	text | binary | json) echo 'HEX({c})' ;;
	inet | uuid) echo 'CAST({c} AS CHAR)' ;;
	set) echo "CONCAT('{', {c}, '}')" ;;
	geometry) echo 'HEX(ST_AsBinary({c}))' ;;
	*) echo '{c}' ;;
	esac
}
pg_expr() {
	case $1 in
	float) echo '{c}::float8::text' ;;
	json) echo '{c}::text' ;;
	inet) echo 'host({c})' ;;
	bit1) echo '{c}::int::text' ;;
	datetime) echo "to_char({c}, 'YYYY-MM-DD HH24:MI:SS.US')" ;;
	timestamp) echo "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" ;;
	time) echo 'extract(epoch FROM {c})::numeric(20,6)::text' ;;
	text) echo "upper(encode(convert_to({c}::text, 'UTF8'), 'hex'))" ;;
	binary | geometry) echo "upper(encode({c}, 'hex'))" ;;
	*) echo '{c}::text' ;;
	esac
}
norm_expr() {
	case $1 in
	float | double) echo 'm.v::float8::text' ;;
	json) echo "convert_from(decode(m.v, 'hex'), 'UTF8')::jsonb::text" ;; # MariaDB keeps the text, jsonb normalises
	*) echo 'm.v' ;;
	esac
}
