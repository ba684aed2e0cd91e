from mfgsync.cli import main

main()
