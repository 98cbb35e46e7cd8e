// The net effect of a sequence of row changes to one table, folded by key (the "reduction buffer"
// of CDC sinks): the replay applies many MySQL transactions' changes to a table as one DELETE of
// every key whose stored row changed and one COPY of the final row images, instead of one statement
// per event. Applying the net effect to a table gives the same rows as applying the changes one by
// one; a change that one-by-one apply would refuse (inserting a key present, deleting or updating a
// key absent) makes the fold refuse too, and the caller then applies the changes one by one to name
// the failing row.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chameleon::core {

// A row image as PostgreSQL text, one value per column (nullopt: NULL).
using RowImage = std::vector<std::optional<std::string>>;

class RowFold {
  public:
	// key_columns: positions in an image of the columns that identify a row.
	explicit RowFold(std::vector<size_t> key_columns);

	// Each returns false when the change contradicts what the fold knows of the key (the table would
	// refuse it applied one by one); the fold is then unusable until clear().
	bool insert(RowImage after);
	bool remove(const RowImage &before);
	bool update(const RowImage &before, RowImage after);

	// What applying the net effect takes, by what the table held before the first folded change:
	// keys it held that end deleted, keys it held that end with another row, and new keys. Applied
	// as: delete the deleted keys, replace the rows of the replaced keys (each must exist, exactly
	// once), insert the inserted rows. Equivalently: delete the deleted and replaced keys, then
	// insert the replaced and inserted rows — which never conflicts where one-by-one apply does
	// not, while replacing rows in place (keeping HOT updates) may meet a unique value another
	// replaced row gives up only later in the same statement.
	struct NetEffect {
		std::vector<RowImage> deleted_keys; // key values, in key_columns order
		std::vector<const RowImage *> replaced;
		std::vector<const RowImage *> inserted;
	};
	NetEffect net_effect() const;

	size_t changes() const { return changes_; }		// changes folded since clear()
	size_t keys() const { return entries_.size(); } // the distinct keys they changed
	bool refused() const { return refused_; }
	// Makes the fold unusable until clear() (a change the caller could not turn into images);
	// returns false.
	bool refuse();
	void clear();

  private:
	struct Entry {
		RowImage key;
		bool stored = false;		   // the table held the key before the first folded change
		std::optional<RowImage> image; // the key's final row; nullopt: the key ends deleted
	};

	std::string encode_key(const RowImage &image) const;
	Entry *find(const std::string &encoded);
	Entry &add(std::string encoded, const RowImage &image, bool stored);

	std::vector<size_t> key_columns_;
	std::vector<Entry> entries_; // in the order keys were first seen
	std::unordered_map<std::string, size_t> index_;
	size_t changes_ = 0;
	bool refused_ = false;
};

} // namespace chameleon::core
