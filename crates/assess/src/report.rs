//! The self-review report of a decrypted submission, as the same PDF a school prints.
