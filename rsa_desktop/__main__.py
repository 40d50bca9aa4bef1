from rsa_desktop.cli import main

raise SystemExit(main())
