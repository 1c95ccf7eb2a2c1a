/**
 * Prints the Node options a worker process is started with for its WORKER_MEMORY_BUDGET (from the environment or
 * ./.env; src/config/worker-memory.ts derives them), for a shell to put on the worker's command line: V8 fixes its
 * heap limit when the process starts, so the worker cannot set it itself.
 *
 *   flags=$(node dist/worker/node-flags.js) && exec node $flags dist/worker.js     the image, docker-compose.yml
 *   npm run worker                                                                  the same, from source
 *
 * A budget the worker would refuse is refused here the same way (exit 78, the variable and its rule on stderr).
 */
import { loadSettingsOrExit } from '../config/dotenv.js';
import { loadWorkerNodeFlags, WORKER_LAUNCH } from '../config/worker.js';

process.stdout.write(`${loadSettingsOrExit(WORKER_LAUNCH, loadWorkerNodeFlags).join(' ')}\n`);
