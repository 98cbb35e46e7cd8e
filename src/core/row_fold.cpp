// Folding row changes by key into their net effect; see row_fold.hpp.
#include "core/row_fold.hpp"

namespace chameleon::core {

RowFold::RowFold(std::vector<size_t> key_columns) : key_columns_(std::move(key_columns)) {}

// Length-prefixed values, so that no two different keys share an encoding.
std::string
RowFold::encode_key(const RowImage &image) const {
	std::string encoded;
	for (size_t column : key_columns_) {
		const std::optional<std::string> &value = image.at(column);
		if (!value) {
			encoded += 'N';
			continue;
		}
		encoded += std::to_string(value->size());
		encoded += ':';
		encoded += *value;
	}
	return encoded;
}

RowFold::Entry *
RowFold::find(const std::string &encoded) {
	auto found = index_.find(encoded);
	return found == index_.end() ? nullptr : &entries_[found->second];
}

RowFold::Entry &
RowFold::add(std::string encoded, const RowImage &image, bool stored) {
	Entry entry;
	for (size_t column : key_columns_)
		entry.key.push_back(image.at(column));
	entry.stored = stored;
	index_.emplace(std::move(encoded), entries_.size());
	entries_.push_back(std::move(entry));
	return entries_.back();
}

bool
RowFold::refuse() {
	refused_ = true;
	return false;
}

bool
RowFold::insert(RowImage after) {
	if (refused_)
		return false;
	changes_++;
	std::string key = encode_key(after);
	Entry *entry = find(key);
	if (entry == nullptr)
		entry = &add(std::move(key), after, false);
	else if (entry->image)
		return refuse(); // the key is present: a duplicate
	entry->image = std::move(after);
	return true;
}

bool
RowFold::remove(const RowImage &before) {
	if (refused_)
		return false;
	changes_++;
	std::string key = encode_key(before);
	Entry *entry = find(key);
	if (entry == nullptr) {
		add(std::move(key), before, true);
		return true;
	}
	if (!entry->image)
		return refuse(); // already deleted in this fold
	entry->image.reset();
	return true;
}

bool
RowFold::update(const RowImage &before, RowImage after) {
	if (refused_)
		return false;
	std::string old_key = encode_key(before);
	if (old_key != encode_key(after)) {
		// A key change is the old key deleted and the new one inserted.
		if (!remove(before))
			return false;
		changes_--; // one change, not two
		return insert(std::move(after));
	}
	changes_++;
	Entry *entry = find(old_key);
	if (entry == nullptr)
		entry = &add(std::move(old_key), before, true);
	else if (!entry->image)
		return refuse(); // the row was deleted in this fold
	entry->image = std::move(after);
	return true;
}

RowFold::NetEffect
RowFold::net_effect() const {
	NetEffect effect;
	for (const Entry &entry : entries_) {
		if (entry.stored && !entry.image)
			effect.deleted_keys.push_back(entry.key);
		else if (entry.stored)
			effect.replaced.push_back(&*entry.image);
		else if (entry.image)
			effect.inserted.push_back(&*entry.image);
	}
	return effect;
}

void
RowFold::clear() {
	entries_.clear();
	index_.clear();
	changes_ = 0;
	refused_ = false;
}

} // namespace chameleon::core
