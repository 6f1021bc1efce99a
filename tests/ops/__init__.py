"""Tests of the shape, indexing, sorting and creation methods (a package, so its module names
do not clash with same-named test files in other folders)."""
