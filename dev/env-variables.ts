/**
 * Every environment variable the project reads, across all roles (each is documented in .env.example, which
 * test/unit/config.test.ts checks against this list).
 */
import { LOCAL_PROCESS } from './config.js';
import { TEMPORAL_CLIENT_PROCESS } from '../src/config/temporal-client.js';

export const ENV_VARIABLES: readonly string[] = [...new Set([...Object.keys(LOCAL_PROCESS), ...Object.keys(TEMPORAL_CLIENT_PROCESS)])];
