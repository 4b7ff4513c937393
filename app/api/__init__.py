"""HTTP routers, one module per resource; every route declares its access policy."""
