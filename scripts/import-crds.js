console.log('no crds yet')
