/**
 * `torsion review`: the live slide-review board as a `torsion` plugin.
 * @module
 */
import { LISTEN_HELP, MultiService, Service, loopbackEndpoints, strportsService, webScheme, type Plugin } from 'torsion/app';
import type { ReviewApp } from './site.js';

/** Runs the classifier while the service runs, and closes the board when it stops. */
class ReviewService extends Service {
  constructor(private readonly app: ReviewApp) {
    super();
  }

  override startService(): void {
    super.startService();
    this.app.classify();
  }

  override stopService(): Promise<void> {
    super.stopService();
    return this.app.close();
  }
}

export const reviewPlugin: Plugin = {
  name: 'review',
  description: 'A live slide-review board: people and a classifier label synthetic tissue tiles, agreement measured live',
  options: [
    { name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(8090), metavar: 'endpoint' },
    { name: 'data', description: 'Folder for the labels database and the tile images', default: './var/review', metavar: 'dir' },
    { name: 'tiles', type: 'number', description: 'Tiles on the slide', default: 400 },
    { name: 'seed', type: 'number', description: 'Seed of the slide (the same seed gives the same tiles and truth)', default: 1 },
    { name: 'classifier-threads', type: 'number', description: 'Worker threads for the classifier (default: all cores but one)' },
  ],
  epilog: LISTEN_HELP,
  async makeService(options, { reactor }) {
    const tiles = options.tiles as number;
    if (!Number.isInteger(tiles) || tiles < 1 || tiles > 100_000) throw new RangeError('--tiles is a whole number from 1 to 100000');
    // The board's modules load only when the command runs, not whenever `torsion` lists its plugins.
    const [{ ReviewApp }, { Site }] = await Promise.all([import('./site.js'), import('torsion/web')]);
    const app = await ReviewApp.open({
      data: options.data as string,
      tiles,
      seed: options.seed as number,
      classifierThreads: options['classifier-threads'] as number | undefined,
      clock: reactor,
    });
    const service = new MultiService();
    new ReviewService(app).setServiceParent(service);
    const site = new Site(app.resource, { clock: reactor });
    for (const description of options.listen as string[]) strportsService(description, site, reactor, { urlScheme: webScheme(description) }).setServiceParent(service);
    return service;
  },
};
