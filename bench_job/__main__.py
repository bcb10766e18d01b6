from bench_job.cli import main

raise SystemExit(main())
