//! Every example of corridor's own files and commands in docs/, run.
