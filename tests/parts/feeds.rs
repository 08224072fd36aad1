//! Feeds as other readers read them: real feed files made by the tests.
