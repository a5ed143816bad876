"""Python resolvers for agency subgraphs (strawberry modules run in-process or over HTTP)."""
