"""The four-agency demo: identity, dmv, tax and health behind one gateway."""
