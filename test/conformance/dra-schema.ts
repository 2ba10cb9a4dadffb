export * from '../../src/schema/dra-schema';
