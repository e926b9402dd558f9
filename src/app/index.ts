/**
 * `torsion/app`: services started and stopped with the application, services that listen on endpoint
 * strings, and the plugin registry the `torsion` command reads.
 * @module
 */
export type { IService, IServiceCollection, MaybeAsync, Plugin, PluginOption, PluginOptions, PluginContext } from './interfaces.js';
export { Service, MultiService, DuplicateServiceNameError, ServiceNotFoundError } from './service.js';
export { StreamServerEndpointService, urlFor, type ServerEndpointLike, type EndpointServiceOptions } from './endpoint-service.js';
export { registerPlugin, unregisterPlugin, getPlugins, getPlugin, DuplicatePluginError } from './plugins.js';
export { parseOptions, pluginHelp, commandHelp, UsageError } from './options.js';
export { strportsService, webScheme } from './strports.js';
export { loopbackEndpoints, LISTEN_HELP } from './loopback.js';
export { AUTH_OPTION, AUTH_HELP, addAuthOption, authCheckers, takesAuth } from './auth-option.js';
