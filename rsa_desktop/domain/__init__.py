"""The domain's rules, pure: no SQL, no Qt, no files. Every layer may import this package; it imports none."""
