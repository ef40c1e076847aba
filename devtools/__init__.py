"""Development and test tooling, installed by settings.dev (and so settings.test),
never by production settings, and left out of the Docker image (.dockerignore):

    fake_paypal.py ......... the fake PayPal (tests, `manage.py fake_paypal` for `make run`)
    demo/ .................. the demo data `manage.py load_demo` loads
    production_stack.py .... the production stack as local processes (tests/stack, bench/web.py)
"""
