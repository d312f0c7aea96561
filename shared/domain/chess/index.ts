/** The chess domain: what the server referee, the lobby and the board UI import. */
export * from './types.ts';
export * from './time-control.ts';
export * from './clock.ts';
export * from './material.ts';
export * from './engine.ts';
export * from './game.ts';
export * from './game-schema.ts';
export * from './commands.ts';
export * from './referee.ts';
export * from './pgn.ts';
export * from './board.ts';
export * from './glicko2.ts';
export * from './lobby.ts';
