# pg_chameleon: PGXS build of the extension (C++17), plus the targets of the test layers.
EXTENSION = pg_chameleon
MODULE_big = pg_chameleon
EXT_VERSIONS = $(patsubst sql/pg_chameleon--%.sql,%,$(wildcard sql/pg_chameleon--*.sql))
DATA = $(wildcard sql/pg_chameleon--*.sql)

SRCS = $(wildcard src/*/*.cpp)
OBJS = $(SRCS:.cpp=.o)

# pg_regress tests: sql/<name>.sql with expected/<name>.out (the extension scripts share sql/)
REGRESS = $(filter-out pg_chameleon--%,$(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --outputdir=build/regress --load-extension=pg_chameleon

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Isrc -I$(shell mysql_config --variable=pkgincludedir 2>/dev/null || echo /usr/include/mariadb)
# The version the library was built for: workers compare it with the catalogue's (doc/upgrading.md).
PG_CPPFLAGS += -DCHAMELEON_VERSION='"$(shell sed -n "s/^default_version = '\(.*\)'$$/\1/p" pg_chameleon.control)"'
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-register -Wno-missing-field-initializers -MMD -MP
SHLIB_LINK = -lpq -lmariadb -lyaml -lzstd -lz -lstdc++ -pthread

# The LLVM bitcode PGXS would emit serves only JIT inlining of our own functions, which
# gains nothing here; see doc/architecture.md.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PostgreSQL's own CFLAGS carry C-only warnings; keep C++ compiles quiet and strict.
override CXXFLAGS := $(filter-out -Wmissing-prototypes -Wdeclaration-after-statement -Wno-format-truncation -Wno-stringop-truncation,$(CXXFLAGS))

src/pg/extension_version.o: pg_chameleon.control

# libpq's client headers, for the pgsql source module only (after the server's headers).
src/pgsql/%.o: override CPPFLAGS += -I$(shell $(PG_CONFIG) --includedir)

-include $(OBJS:.o=.d)
EXTRA_CLEAN = $(OBJS:.o=.d) build

.PHONY: unit
unit:
	$(MAKE) -C test/unit
