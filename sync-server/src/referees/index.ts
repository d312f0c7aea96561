/**
 * The referees a production server runs. Each area (shop, chess, markets) adds its own here;
 * tests may register more through `startServer(config, { referees })`.
 */
import type { Directory } from '../auth/directory.ts';
import type { ServerConfig } from '../config.ts';
import type { Referee } from '../intents/referee.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { createCommerceReferee } from './commerce/commerce-referee.ts';
import { createChessReferee } from './chess/index.ts';
import { createMarketsReferee } from './markets/index.ts';

export interface RefereeDeps {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly now: () => number;
}

export function productionReferees(deps: RefereeDeps): Referee[] {
  return [createCommerceReferee({ directory: deps.directory }), createChessReferee(deps), createMarketsReferee(deps)];
}
