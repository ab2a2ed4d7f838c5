import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  DOCUMENT_STORE,
  InMemoryDocumentStore,
  MongooseDocumentStore,
  type DocumentStore,
} from '@pcp/documents';
import { ReadinessRegistry } from '@pcp/http';

export interface ReadModelsOptions {
  kind: 'memory' | 'mongo';
  mongoUrl?: string;
}

@Injectable()
class ReadModelsLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject('READ_MODELS_KIND') private readonly kind: ReadModelsOptions['kind'],
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    if (this.kind !== 'mongo') return;
    this.readiness.register({
      name: 'readModels',
      check: async () => {
        await this.documents.collection('readiness_probe').count();
      },
    });
  }

  // Runs after the runtime has stopped its projections (Nest shuts modules down in reverse order).
  async onApplicationShutdown(): Promise<void> {
    await this.documents.close();
  }
}

/** Where read models live: in memory (rebuilt from the log at start) or in MongoDB. */
@Module({})
export class ReadModelsModule {
  static forRoot(options: ReadModelsOptions): DynamicModule {
    return {
      module: ReadModelsModule,
      global: true,
      providers: [
        { provide: 'READ_MODELS_KIND', useValue: options.kind },
        {
          provide: DOCUMENT_STORE,
          useFactory: async (): Promise<DocumentStore> => {
            if (options.kind === 'memory') return new InMemoryDocumentStore();
            if (!options.mongoUrl) throw new Error('READ_MODELS=mongo needs MONGO_URL');
            return MongooseDocumentStore.connect(options.mongoUrl);
          },
        },
        ReadModelsLifecycle,
      ],
      exports: [DOCUMENT_STORE],
    };
  }
}
