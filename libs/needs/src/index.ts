/** The needs bounded context: domain, application, HTTP and its Nest module. */
export { CONTEXT } from './application/streams';
export { needsContext } from './needs.context';
export { NeedsModule } from './needs.module';
export { needsProjection } from './read-models/needs.projection';
export { needsTranslator } from './integration/needs-translator';
export type { NeedView } from './read-models/need-view';
export type { BuyersGroupView } from './read-models/buyers-group-view';
