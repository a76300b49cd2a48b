// `nestjs-tenancy/cli`: the nest-commander commands, apart from the main entry point so that
// applications without a CLI never load nest-commander (an optional peer dependency).
export { TenancyCliModule } from './tenancy-cli.module';
export { CliOutput } from './cli-output';
